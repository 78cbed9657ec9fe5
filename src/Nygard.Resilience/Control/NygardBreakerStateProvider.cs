using System.Globalization;
using Nygard.Resilience.StateMachine;
using Nygard.Resilience.Engine;
using Polly.CircuitBreaker;

namespace Nygard.Resilience;

/// <summary>
/// Reads the state of one breaker (aiobreaker's <c>current_state</c>, <c>fail_counter</c>, <c>opens_at</c>,
/// <c>time_until_open</c> and <c>sleep_until_open</c>). Set it on
/// <see cref="NygardBreakerStrategyOptions{TResult}.StateProvider"/>; a provider attaches to exactly one breaker.
/// </summary>
/// <remarks>Before the pipeline is built the provider reports a closed breaker with no failures.</remarks>
public sealed class NygardBreakerStateProvider
{
    private readonly object _gate = new();
    private object? _owner;
    private INygardBreaker? _breaker;

    /// <summary>
    /// Initializes a new instance of the <see cref="NygardBreakerStateProvider"/> class.
    /// </summary>
    public NygardBreakerStateProvider()
    {
    }

    /// <summary>Gets the breaker's state: <see cref="CircuitState.Closed"/>, <see cref="CircuitState.Open"/>, <see cref="CircuitState.HalfOpen"/> or <see cref="CircuitState.Isolated"/>.</summary>
    /// <remarks>An open breaker whose break has elapsed reports <see cref="CircuitState.Open"/> until the next call half-opens it.</remarks>
    public CircuitState CircuitState => Snapshot.State;

    /// <summary>
    /// Gets the number of consecutive handled failures. It keeps counting while open and half-open (a failed probe
    /// adds one) and returns to 0 after a success or a close.
    /// </summary>
    public int FailureCount => Snapshot.FailureCount;

    /// <summary>Gets when the break ends, or <see langword="null"/> unless the breaker is open.</summary>
    public DateTimeOffset? OpenUntil
    {
        get
        {
            var snapshot = Snapshot;
            return snapshot.State == CircuitState.Open ? snapshot.OpenUntil : null;
        }
    }

    /// <summary>Gets the time left until the break ends (never negative), or <see langword="null"/> unless the breaker is open.</summary>
    public TimeSpan? RetryAfter => Volatile.Read(ref _breaker) is { } breaker ? breaker.Snapshot.GetRetryAfter(breaker.GetUtcNow()) : null;

    /// <summary>Describes the breaker as it is now, for logs and debuggers: for example <c>Open, 5 failures, retry after 00:00:27.5</c>.</summary>
    /// <returns>The state, the failure count and, while open, the time left.</returns>
    public override string ToString()
    {
        var breaker = Volatile.Read(ref _breaker);
        var snapshot = breaker?.Snapshot ?? NygardBreakerSnapshot.Initial;
        var failures = snapshot.FailureCount == 1 ? "1 failure" : $"{snapshot.FailureCount.ToString(CultureInfo.InvariantCulture)} failures";
        return breaker is not null && snapshot.GetRetryAfter(breaker.GetUtcNow()) is { } left
            ? $"{snapshot.State}, {failures}, retry after {left.ToString("c", CultureInfo.InvariantCulture)}"
            : $"{snapshot.State}, {failures}";
    }

    private NygardBreakerSnapshot Snapshot => Volatile.Read(ref _breaker)?.Snapshot ?? NygardBreakerSnapshot.Initial;

    /// <summary>
    /// Waits until the breaker lets calls through again (aiobreaker's <c>sleep_until_open</c>): completes at once
    /// unless the breaker is open or isolated; while open, waits until the break ends; while isolated, waits
    /// until it is closed. A manual change ends the wait early when it lets calls through.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when calls may be tried again.</returns>
    public async Task WaitForRetryAsync(CancellationToken cancellationToken = default)
    {
        while (Volatile.Read(ref _breaker) is { } breaker)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var transition = breaker.NextTransition;
            var snapshot = breaker.Snapshot;
            if (snapshot.State == CircuitState.Isolated)
            {
                await transition.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (snapshot.GetRetryAfter(breaker.GetUtcNow()) is not { } left || left == TimeSpan.Zero)
            {
                return;
            }

            // Timers may fire a little early against the clock, so the loop checks again after every wake-up and
            // returns only once a call made now would be admitted.
            using var delayCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(left, breaker.TimeProvider, delayCancellation.Token);
            var first = await Task.WhenAny(delay, transition).ConfigureAwait(false);
            delayCancellation.Cancel();
            if (first == delay)
            {
                await delay.ConfigureAwait(false); // throws when the caller cancelled
            }
        }
    }

    internal void Claim(object owner)
    {
        lock (_gate)
        {
            if (_owner is not null && !ReferenceEquals(_owner, owner))
            {
                throw new InvalidOperationException(
                    $"The {nameof(NygardBreakerStateProvider)} given as '{nameof(NygardBreakerStrategyOptions.StateProvider)}' is already attached to another breaker; a state provider reads exactly one breaker.");
            }

            _owner = owner;
        }
    }

    internal void Attach(INygardBreaker breaker) => Volatile.Write(ref _breaker, breaker);

    internal void Detach(INygardBreaker breaker) => Interlocked.CompareExchange(ref _breaker, null, breaker);
}
