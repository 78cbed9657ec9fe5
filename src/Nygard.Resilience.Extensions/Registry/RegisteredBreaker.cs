using Polly.CircuitBreaker;

namespace Nygard.Resilience.Registry;

/// <summary>
/// What the registry knows of one breaker id: its live handle (the latest built, since a reload builds the breaker
/// again), the last state it reported, and its call counts by outcome.
/// </summary>
internal sealed class RegisteredBreaker(NygardBreakerId id)
{
    private readonly object _gate = new();
    private NygardBreakerHandle? _handle;
    private CircuitState _lastState;
    private long _successes;
    private long _failures;
    private long _rejections;
    private long _ignored;

    public NygardBreakerId Id { get; } = id;

    public string Key { get; } = id.ToString();

    public NygardBreakerHandle? Handle => Volatile.Read(ref _handle);

    public NygardBreakerCallCounts Counts => new(
        Interlocked.Read(ref _successes),
        Interlocked.Read(ref _failures),
        Interlocked.Read(ref _rejections),
        Interlocked.Read(ref _ignored));

    public void Attach(NygardBreakerHandle handle)
    {
        lock (_gate)
        {
            _lastState = handle.State;
            Volatile.Write(ref _handle, handle);
        }
    }

    /// <summary>Records a transition and returns the state the breaker left.</summary>
    public CircuitState MoveTo(CircuitState to)
    {
        lock (_gate)
        {
            var from = _lastState;
            _lastState = to;
            return from;
        }
    }

    public void Count(NygardBreakerCallOutcome outcome)
    {
        switch (outcome)
        {
            case NygardBreakerCallOutcome.Success:
                Interlocked.Increment(ref _successes);
                break;
            case NygardBreakerCallOutcome.Failure:
                Interlocked.Increment(ref _failures);
                break;
            case NygardBreakerCallOutcome.Rejected:
                Interlocked.Increment(ref _rejections);
                break;
            default:
                Interlocked.Increment(ref _ignored);
                break;
        }
    }
}
