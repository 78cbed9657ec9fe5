using Nygard.Resilience.Redis.Clock;
using Nygard.Resilience.Redis.Codec;
using Nygard.Resilience.Redis.Outage;

namespace Nygard.Resilience.Redis.Cache;

/// <summary>
/// What this process knows of one breaker: the entry calls see, the newest value known from Redis, and whether the
/// store is in an outage. It only moves forward (<see cref="ViewRules"/>), applies this store's own writes only from
/// their replies (so an echo never takes a change's cause), and tells the observers every change once, in order,
/// under one lock.
/// </summary>
internal sealed class SnapshotView(ServerClock clock, OutageMode outageMode, string key)
{
    private readonly object _gate = new();
    private readonly NygardBreakerStateObservers _observers = new();
    private volatile StoredEntry _current = StoredEntry.Absent;
    private volatile StoredEntry _shared = StoredEntry.Absent; // written under the gate, read without it
    private volatile bool _outage;
    private Exception? _outageError;
    private Exception? _unreportedProblem; // found before anyone listened (in the constructor): told to the first observer
    private bool _hasObservers;

    /// <summary>Gets the entry calls see (a local one during an outage).</summary>
    public StoredEntry Current => _current;

    /// <summary>Gets the newest value known from Redis.</summary>
    public StoredEntry Shared => _shared;

    /// <summary>Gets a value indicating whether the store is in an outage.</summary>
    public bool IsOutage => _outage;

    public IDisposable Subscribe(INygardBreakerStateObserver observer)
    {
        lock (_gate)
        {
            var subscription = _observers.Add(observer);
            _hasObservers = true;
            if (_outage)
            {
                observer.OnStoreAvailabilityChanged(false, _outageError); // a breaker built during an outage learns of it too
            }
            else if (_unreportedProblem is { } problem)
            {
                _unreportedProblem = null;
                observer.OnStoreProblem(problem);
            }

            return subscription;
        }
    }

    /// <summary>Takes this store's own write, stored by Redis, with the cause it was made for.</summary>
    public void ApplyOwnWrite(StoredEntry written, object? cause)
    {
        lock (_gate)
        {
            _shared = written;
            Publish(written, cause);
        }
    }

    /// <summary>Takes a value this store wrote back over a lost or corrupt one, if this process knew no stored value.</summary>
    public void ApplyRepair(StoredEntry written)
    {
        lock (_gate)
        {
            if (!_shared.IsStored)
            {
                _shared = written;
                Publish(written, cause: null);
            }
        }
    }

    /// <summary>
    /// Judges a value read from Redis against the newest one known here: takes it if it is newer, and otherwise
    /// returns the value to write over (when Redis lost, rolled back or corrupted what this process knows).
    /// </summary>
    /// <param name="raw">The value Redis holds.</param>
    /// <param name="fromOwnWrite">Whether it is the reply to a write of this store that Redis refused.</param>
    /// <returns>The value to write over, or <see langword="null"/>.</returns>
    public string? Reconcile(string raw, bool fromOwnWrite)
    {
        if (!SnapshotCodec.TryDecode(raw, out var candidate, out var error))
        {
            ReportProblem(new InvalidDataException($"The breaker state in Redis key '{key}' is corrupt ({error}); it is repaired with the newest valid state known here."));
            return raw;
        }

        lock (_gate)
        {
            switch (ViewRules.Judge(_shared, candidate, clock.UtcNow))
            {
                case Verdict.Adopt:
                    _shared = candidate;
                    if (!_outage)
                    {
                        Publish(candidate, cause: null);
                    }

                    return null;
                case Verdict.WriteBack:
                    return raw;
                default:
                    if (fromOwnWrite && !_outage && !ReferenceEquals(_current, _shared))
                    {
                        Publish(_shared, cause: null);
                    }

                    return null;
            }
        }
    }

    /// <summary>Applies a change to the local breaker during an outage; see <see cref="OutageMode"/>.</summary>
    public bool ReplaceLocally(NygardBreakerSnapshot expected, NygardBreakerSnapshot replacement, object? cause)
    {
        lock (_gate)
        {
            if (!_outage)
            {
                return false; // the outage ended meanwhile: the caller retries against Redis
            }

            if (!outageMode.KeepsChanges)
            {
                return true; // the fixed answer stands: the change is absorbed
            }

            if (!ReferenceEquals(_current.Snapshot, expected))
            {
                return false;
            }

            Publish(StoredEntry.Local(replacement), cause);
            return true;
        }
    }

    public void EnterOutage(Exception error)
    {
        lock (_gate)
        {
            if (_outage)
            {
                return;
            }

            // The outage's answer is in place before anyone can see the store as unavailable.
            var local = outageMode.Enter(_current, clock.UtcNow);
            _outage = true;
            _outageError = error;
            Publish(local, cause: null);
            _observers.NotifyAvailabilityChanged(false, error);
        }
    }

    /// <summary>Keeps a rejecting outage's break running while the outage lasts.</summary>
    public void RenewOutage()
    {
        lock (_gate)
        {
            if (_outage && outageMode.Renew(_current, clock.UtcNow) is { } renewed)
            {
                Publish(renewed, cause: null);
            }
        }
    }

    public void ExitOutage()
    {
        lock (_gate)
        {
            if (!_outage)
            {
                return;
            }

            // The local lineage is dropped; the shared one is taken up as Redis holds it (Reconcile then judges it).
            _outage = false;
            _outageError = null;
            Publish(_shared, cause: null);
            _observers.NotifyAvailabilityChanged(true, null);
        }
    }

    /// <summary>Reports a problem that is not an outage (corrupt data, no channel permission) to the breaker's telemetry.</summary>
    public void ReportProblem(Exception problem)
    {
        lock (_gate)
        {
            if (!_hasObservers)
            {
                _unreportedProblem = problem;
            }
            else if (!_outage)
            {
                _observers.NotifyProblem(problem);
            }
        }
    }

    /// <summary>Makes <paramref name="next"/> what calls see and tells the observers. Called under the gate, so they see changes in order.</summary>
    private void Publish(StoredEntry next, object? cause)
    {
        var previous = _current;
        _current = next;
        if (!ReferenceEquals(previous.Snapshot, next.Snapshot))
        {
            _observers.NotifyChanged(previous.Snapshot, next.Snapshot, cause);
        }
    }
}
