using Polly.CircuitBreaker;

namespace Nygard.Resilience.Registry;

/// <summary>
/// What the registry knows of one breaker id: its live handle (the latest built, since a reload builds the breaker
/// again), the last state it reported, and the counter its calls are counted in.
/// </summary>
internal sealed class RegisteredBreaker(NygardBreakerId id)
{
    private NygardBreakerHandle? _handle;
    private int _lastState;

    public NygardBreakerId Id { get; } = id;

    public string Key { get; } = id.ToString();

    public NygardBreakerHandle? Handle => Volatile.Read(ref _handle);

    /// <summary>Gets the counter every breaker built with this id counts its calls in, so that totals survive reloads.</summary>
    public NygardBreakerCallCounter Counter { get; } = new();

    public void Attach(NygardBreakerHandle handle)
    {
        Volatile.Write(ref _lastState, (int)handle.State);
        handle.CallCounter = Counter;
        Volatile.Write(ref _handle, handle);
    }

    /// <summary>Records a transition and returns the state the breaker left.</summary>
    public CircuitState MoveTo(CircuitState to) => (CircuitState)Interlocked.Exchange(ref _lastState, (int)to);
}
