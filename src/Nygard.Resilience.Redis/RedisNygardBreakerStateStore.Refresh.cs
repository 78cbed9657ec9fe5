using System.Diagnostics;
using Nygard.Resilience.Redis.Codec;
using Nygard.Resilience.Redis.Commands;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace Nygard.Resilience.Redis;

/// <summary>How the store keeps its view fresh: the re-check tick, change hints, re-reads, write-backs and connection events.</summary>
public sealed partial class RedisNygardBreakerStateStore
{
    /// <summary>
    /// Only a breaker that is not closed has a state worth re-checking on a schedule; so has every breaker whose
    /// subscription is down, and a store in an outage tries Redis again.
    /// </summary>
    private void OnTick()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        if (!_subscribed)
        {
            StartSubscribe();
        }

        if (_view.IsOutage || !_subscribed || _view.Current.Snapshot.State != CircuitState.Closed)
        {
            RequestRead();
        }

        _view.RenewOutage();
    }

    private void StartSubscribe()
    {
        if (Volatile.Read(ref _disposed) != 0 || Interlocked.Exchange(ref _subscribing, 1) != 0)
        {
            return;
        }

        StoreCommands.Observe(SubscribeAsync());
    }

    /// <summary>
    /// Listens for change hints. A subscription that fails (no channel permission, say) is not an outage: it is
    /// reported, the store re-reads on a schedule meanwhile, and it is tried again at the next tick.
    /// </summary>
    private async Task SubscribeAsync()
    {
        try
        {
            await StoreCommands.WithinAsync(_connection.GetSubscriber().SubscribeAsync(_keys.Channel, OnMessage), _options.OperationTimeout).ConfigureAwait(false);
            _subscriptionAccepted = true;
            _subscribed = true;
            RequestRead(); // anything that changed before the subscription took hold
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            if (!_view.IsOutage && e is RedisServerException)
            {
                _view.ReportProblem(e);
            }
        }
        finally
        {
            Volatile.Write(ref _subscribing, 0);
        }
    }

    /// <summary>A change message is a hint: it never changes state, it only makes the store re-read the key.</summary>
    private void OnMessage(RedisChannel channel, RedisValue message)
    {
        var hint = (string?)message;
        var shared = _view.Shared;
        if (hint is null || hint == shared.Hint || hint == _writing || hint == _counting || IsKnown(hint, shared))
        {
            return; // the echo of this store's own write, or news already taken
        }

        Volatile.Write(ref _pendingHint, hint);
        RequestRead(forced: false);
    }

    private static bool IsKnown(string hint, StoredEntry shared)
    {
        var separator = hint.IndexOf(':', StringComparison.Ordinal);
        return separator > 0 && shared.Incarnation is { } incarnation &&
            hint.AsSpan(0, separator).SequenceEqual(incarnation) &&
            long.TryParse(hint.AsSpan(separator + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version) &&
            version <= shared.Snapshot.Version;
    }

    /// <summary>Asks for a re-read; requests that arrive while one is under way are coalesced into one more.</summary>
    /// <param name="forced">Whether to read even if the hint that asked for it is known by the time the read would go.</param>
    private void RequestRead(bool forced = true)
    {
        if (forced)
        {
            Volatile.Write(ref _readForced, 1);
        }

        Volatile.Write(ref _readAgain, 1);
        if (Volatile.Read(ref _disposed) == 0 && Interlocked.CompareExchange(ref _reading, 1, 0) == 0)
        {
            StoreCommands.Observe(ReadLoopAsync(firstRead: false));
        }
    }

    private async Task ReadLoopAsync(bool firstRead)
    {
        try
        {
            if (firstRead)
            {
                await ReadAsync(Stopwatch.GetTimestamp()).ConfigureAwait(false);
            }

            while (Interlocked.Exchange(ref _readAgain, 0) == 1 && Volatile.Read(ref _disposed) == 0)
            {
                // A hint often becomes known meanwhile from a reply to this store's own writes (a failure storm): then
                // the re-read is not needed.
                await Task.Yield();
                var forced = Interlocked.Exchange(ref _readForced, 0) == 1;
                var hint = Interlocked.Exchange(ref _pendingHint, null);
                var shared = _view.Shared;
                if (forced || hint is null || !IsKnown(hint, shared))
                {
                    await ReadAsync(Stopwatch.GetTimestamp()).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
            if (Volatile.Read(ref _readAgain) == 1)
            {
                RequestRead();
            }
        }
    }

    /// <summary>Re-reads the shared state (and the server clock); writes back what Redis lost; ends an outage.</summary>
    /// <param name="started">When the operation this read is part of began: the read ends within OperationTimeout of it.</param>
    private async Task ReadAsync(long started)
    {
        if (!await _io.WaitAsync(Remaining(started), CancellationToken.None).ConfigureAwait(false))
        {
            EnterOutage(new TimeoutException($"Redis did not answer the store of '{Key}' within OperationTimeout ({_options.OperationTimeout})."));
            return;
        }

        try
        {
            var raw = await _commands.ReadAsync(Remaining(started)).ConfigureAwait(false);
            _view.ExitOutage();
            if (_view.Reconcile(raw, fromOwnWrite: false) is { } overwrite)
            {
                await WriteBackAsync(overwrite, started).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            EnterOutage(e);
        }
        finally
        {
            _io.Release();
        }
    }

    /// <summary>Writes the newest state known here (closed if none) over a value Redis lost, rolled back or corrupted.</summary>
    private async Task WriteBackAsync(string overwrite, long started)
    {
        var known = _view.Shared;

        if (!known.IsStored)
        {
            var closed = new NygardBreakerSnapshot(CircuitState.Closed, 0, 0, 0, [], null, _clock.UtcNow, false, known.Snapshot.Generation, known.Snapshot.Version + 1);
            var incarnation = SnapshotCodec.NewIncarnation();
            known = new StoredEntry(closed, SnapshotCodec.Encode(incarnation, closed), incarnation);
        }

        var reply = await _commands.CompareAndSwapAsync(overwrite, known.Raw!, known.Hint, Remaining(started)).ConfigureAwait(false);
        if (reply.Stored)
        {
            _view.ApplyRepair(known);
        }
        else
        {
            _ = _view.Reconcile(reply.Current!, fromOwnWrite: false); // someone wrote meanwhile: judged like any read; another write-back waits for the next read
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            _subscribed = false; // not an outage: commands may still work; the store re-reads on a schedule meanwhile
            return;
        }

        EnterOutage(e.Exception ?? new RedisConnectionException(e.FailureType, $"The connection to {e.EndPoint} failed: {e.FailureType}."));
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        HoldFailureCounting();
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            _subscribed = _subscriptionAccepted; // the multiplexer subscribes again by itself; a lost subscription may have missed news
        }

        RequestRead();
    }
}
