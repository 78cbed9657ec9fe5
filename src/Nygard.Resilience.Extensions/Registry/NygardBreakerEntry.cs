
namespace Nygard.Resilience.Registry;

/// <summary>
/// A breaker built through dependency injection: its identity, its state store (kept across reloads) and its clock.
/// It is also the owner of the breaker's state provider claim, so that a reload does not count as a second breaker.
/// </summary>
internal sealed class NygardBreakerEntry(NygardBreakerIdentity identity, INygardBreakerStateStore store)
{
    private TimeProvider _timeProvider = TimeProvider.System;

    public NygardBreakerIdentity Identity { get; } = identity;

    public INygardBreakerStateStore Store { get; } = store;

    public TimeProvider TimeProvider
    {
        get => Volatile.Read(ref _timeProvider);
        set => Volatile.Write(ref _timeProvider, value);
    }

    public NygardBreakerSnapshot Snapshot => Store.Current;

    /// <summary>Gets the time left until the break ends, or <see langword="null"/> unless open.</summary>
    public TimeSpan? RetryAfter => Snapshot.GetRetryAfter(Store.GetUtcNow(TimeProvider));
}
