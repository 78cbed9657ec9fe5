using Nygard.Resilience.StateMachine;

namespace Nygard.Resilience;

/// <summary>
/// Keeps a breaker's state in this process. Pipelines given the same instance behave as one breaker.
/// </summary>
/// <remarks>
/// The state is a value changed under a short lock, so that a change allocates nothing and observers learn of changes
/// in the order they happened; <see cref="Current"/> makes a snapshot of it only when asked, once per change. Calls read
/// the state without the lock: one word on the clean success path, a checked pair for a rejection, a checked copy to
/// decide a change on.
/// </remarks>
public sealed class InMemoryNygardBreakerStateStore : INygardBreakerStateStore
{
    private const int MaxOptimisticReads = 16;

    private readonly object _gate = new();
    private readonly NygardBreakerStateObservers _observers = new();
    private readonly ObserverList<IBreakerStateObserver> _breakers = new();
    private BreakerState _state = BreakerState.Initial;
    private NygardBreakerSnapshot? _snapshot = NygardBreakerSnapshot.Initial;
    private long _stamp = BreakerStamp.Of(BreakerState.Initial).Value;
    private long _openUntilUtcTicks = BreakerState.NoTime;

    // Odd while a change is being written: a sequence lock, so that readers never take parts of two states for one.
    private long _sequence;

    /// <summary>
    /// Initializes a new instance of the <see cref="InMemoryNygardBreakerStateStore"/> class, closed and with no failures.
    /// </summary>
    public InMemoryNygardBreakerStateStore()
    {
    }

    /// <inheritdoc/>
    // Stryker disable once NullCoalescing : making the snapshot under the lock returns the one already made; reading it first only spares the lock.
    public NygardBreakerSnapshot Current => Volatile.Read(ref _snapshot) ?? MakeSnapshot();

    /// <summary>Gets the stamp of the state, which the clean path reads: one volatile read, which needs no check because the stamp is one word.</summary>
    internal BreakerStamp Stamp => new(Volatile.Read(ref _stamp));

    /// <inheritdoc/>
    public DateTimeOffset GetUtcNow(TimeProvider localTime)
    {
        ArgumentNullException.ThrowIfNull(localTime);
        return localTime.GetUtcNow();
    }

    /// <inheritdoc/>
    public ValueTask<bool> TryReplaceAsync(NygardBreakerSnapshot expected, NygardBreakerSnapshot replacement, object? cause, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(replacement);

        lock (_gate)
        {
            if (_state.Version != expected.Version)
            {
                return new ValueTask<bool>(false);
            }

            Replace(replacement.Value, replacement, cause);
        }

        return new ValueTask<bool>(true);
    }

    /// <inheritdoc/>
    public IDisposable Subscribe(INygardBreakerStateObserver observer) => _observers.Add(observer);

    /// <summary>Reads the stamp and the break end as one pair; <see cref="BreakerStamp.Busy"/> when a change ran meanwhile.</summary>
    internal BreakerStamp ReadStamp(out long openUntilUtcTicks)
    {
        // Each volatile read is made before the next, so the sequence read last tells whether a change ran meanwhile.
        var sequence = Volatile.Read(ref _sequence);
        var stamp = Volatile.Read(ref _stamp);
        openUntilUtcTicks = Volatile.Read(ref _openUntilUtcTicks);
        return (sequence & 1) == 0 && Volatile.Read(ref _sequence) == sequence ? new(stamp) : BreakerStamp.Busy;
    }

    /// <summary>Reads the whole state.</summary>
    internal BreakerState ReadState()
    {
        // A change writes for a few instructions and runs no other code meanwhile, so a reader that met one tries again
        // a bounded number of times; only then does it take the lock (which observers may be holding).
        var spin = default(SpinWait);
        for (var attempt = 0; attempt < MaxOptimisticReads; attempt++)
        {
            var sequence = Volatile.Read(ref _sequence);
            var state = _state;
            Interlocked.MemoryBarrier(); // the copy is made before the sequence is read again
            if ((sequence & 1) == 0 && Volatile.Read(ref _sequence) == sequence)
            {
                return state;
            }

            // Stryker disable once Statement,Unary : how a reader waits between tries changes only how soon it tries again, never what it reads.
            spin.SpinOnce(sleep1Threshold: -1);
        }

        // Stryker disable once Block : reached only when a writer is held inside its few-instruction window for every try; no test can hold it there without a hook in the write path.
        lock (_gate)
        {
            return _state;
        }
    }

    /// <summary>Replaces the state with <paramref name="replacement"/> if, and only if, it is still at <paramref name="expectedVersion"/>.</summary>
    internal bool TryReplace(long expectedVersion, in BreakerState replacement, object? cause)
    {
        lock (_gate)
        {
            if (_state.Version != expectedVersion)
            {
                return false;
            }

            Replace(replacement, null, cause);
        }

        return true;
    }

    /// <summary>Subscribes a breaker to every change, told as values.</summary>
    internal IDisposable Subscribe(IBreakerStateObserver observer) => _breakers.Add(observer);

    /// <summary>
    /// Swaps the state in and tells the observers; called under the lock. Everything a reader may see is written before
    /// any observer runs, so no reader that takes no lock waits for observers: the snapshot first (a reader who sees the
    /// new stamp sees it too), and when there are public observers, the snapshot they are given.
    /// </summary>
    private void Replace(in BreakerState replacement, NygardBreakerSnapshot? snapshot, object? cause)
    {
        var previous = _state;
        var previousSnapshot = _snapshot;
        var observed = !_observers.IsEmpty;
        snapshot ??= observed ? new NygardBreakerSnapshot(replacement) : null;

        Interlocked.Increment(ref _sequence); // odd, and a full fence: nothing written below is seen before it
        Volatile.Write(ref _snapshot, snapshot);
        _state = replacement;
        Volatile.Write(ref _openUntilUtcTicks, replacement.OpenUntilUtcTicks);
        Volatile.Write(ref _stamp, BreakerStamp.Of(replacement).Value);
        Volatile.Write(ref _sequence, _sequence + 1);

        foreach (var breaker in _breakers.Current)
        {
            breaker.OnChanged(previous, replacement, cause);
        }

        if (observed)
        {
            _observers.NotifyChanged(previousSnapshot ?? new NygardBreakerSnapshot(previous), snapshot!, cause);
        }
    }

    /// <summary>Makes the snapshot of the current state, once per change.</summary>
    private NygardBreakerSnapshot MakeSnapshot()
    {
        lock (_gate)
        {
            if (_snapshot is not { } snapshot)
            {
                snapshot = new NygardBreakerSnapshot(_state);
                Volatile.Write(ref _snapshot, snapshot);
            }

            return snapshot;
        }
    }
}
