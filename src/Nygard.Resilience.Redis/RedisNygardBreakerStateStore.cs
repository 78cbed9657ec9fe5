using System.Diagnostics;
using Nygard.Resilience.Redis.Cache;
using Nygard.Resilience.Redis.Clock;
using Nygard.Resilience.Redis.Codec;
using Nygard.Resilience.Redis.Commands;
using Nygard.Resilience.Redis.Keys;
using Nygard.Resilience.Redis.Options;
using Nygard.Resilience.Redis.Outage;
using StackExchange.Redis;

namespace Nygard.Resilience.Redis;

/// <summary>
/// Keeps a breaker's state in Redis, so that every instance of a service that uses the same <c>key</c> is one
/// breaker: a trip seen by one rejects calls in all, failures from all add up, and exactly
/// <c>HalfOpenPermits</c> probes run fleet-wide.
/// </summary>
/// <remarks>
/// <para>
/// Calls read a locally cached snapshot, so the clean success path and rejections while open make no round trip.
/// Every change is one Lua compare-and-swap of the whole stored value; a change message on the key's channel is only
/// a hint that makes the store re-read the key. A breaker that is not closed re-reads its key every
/// <see cref="RedisNygardBreakerStateStoreOptions.MaxStaleness"/>, and writes back a state Redis lost or rolled
/// back. Deadlines are measured on the Redis server's clock. Values read from Redis are validated; a corrupt value is
/// reported and repaired, never thrown. See <c>docs/redis.md</c>.
/// </para>
/// <para>
/// A call never fails, and never waits longer than <see cref="RedisNygardBreakerStateStoreOptions.OperationTimeout"/>
/// in total, because Redis is down or slow: the store then behaves as
/// <see cref="RedisNygardBreakerStateStoreOptions.OutageBehavior"/> says until Redis answers again, and reports the
/// outage (with Redis's own error) and the recovery to the breaker's telemetry. For the fastest failover, configure
/// the multiplexer with <c>AbortOnConnectFail = false</c> and <c>BacklogPolicy = BacklogPolicy.FailFast</c>.
/// </para>
/// </remarks>
public sealed partial class RedisNygardBreakerStateStore : INygardBreakerStateStore, INygardBreakerFailureCounter, IDisposable
{
    private readonly IConnectionMultiplexer _connection;
    private readonly RedisNygardBreakerStateStoreOptions _options;
    private readonly BreakerKeys _keys;
    private readonly ServerClock _clock;
    private readonly StoreCommands _commands;
    private readonly SemaphoreSlim _io = new(1, 1); // one round trip at a time per store: reads and writes never overtake each other
    private readonly SnapshotView _view;
    private readonly ITimer _timer;
    private volatile string? _writing; // the hint of this store's write in flight: its echo may arrive before the reply
    private volatile string? _counting; // the hint a failure count in flight will publish if nobody writes before it
    private long _countingAllowedFromTicks; // after an outage, failures go through the compare-and-swap path until this time
    private volatile bool _subscribed;
    private volatile bool _subscriptionAccepted;
    private int _subscribing;
    private int _reading;
    private int _readAgain;
    private int _readForced; // a re-read that must happen whatever the hints say (a tick, a lost subscription)
    private string? _pendingHint; // the latest hint that asked for a re-read
    private int _disposed;

    /// <summary>
    /// Initializes a new instance of the <see cref="RedisNygardBreakerStateStore"/> class.
    /// </summary>
    /// <param name="connection">The Redis connection.</param>
    /// <param name="key">The breaker's name in Redis; every store with the same key (and prefix) is the same breaker.</param>
    /// <param name="options">The store's options, or <see langword="null"/> for the defaults.</param>
    /// <remarks>
    /// The constructor reads the shared state once, waiting at most <see cref="RedisNygardBreakerStateStoreOptions.OperationTimeout"/>
    /// in total, so that the first call already sees a breaker that is open elsewhere. It never throws because of
    /// Redis: an unreachable, frozen or refusing server starts the store in an outage, and a corrupt value is repaired.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> or <paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty, or an option is invalid (the message names it).</exception>
    public RedisNygardBreakerStateStore(IConnectionMultiplexer connection, string key, RedisNygardBreakerStateStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        _options = options ?? new RedisNygardBreakerStateStoreOptions();
        RedisNygardBreakerStateStoreOptionsValidator.ThrowIfInvalid(_options);

        _connection = connection;
        _keys = new BreakerKeys(_options.KeyPrefix, key);
        _clock = new ServerClock(_options.TimeProvider);
        _commands = new StoreCommands(connection, _keys, _clock, _options.KeyExpiry);
        _view = new SnapshotView(_clock, new OutageMode(_options.OutageBehavior, _options.MaxStaleness), _keys.Name);

        _connection.ConnectionFailed += OnConnectionFailed;
        _connection.ConnectionRestored += OnConnectionRestored;

        // Listen first (without waiting: a frozen server must not hold up start-up), then join the shared state before
        // the first call, so that a newcomer never lets a call through a breaker that is open elsewhere. The read is
        // bounded by OperationTimeout; a server that does not answer in time starts the store in an outage.
        StartSubscribe();
        Volatile.Write(ref _reading, 1);
        var joined = ReadLoopAsync(firstRead: true);
        if (!joined.Wait(_options.OperationTimeout))
        {
            StoreCommands.Observe(joined);
            EnterOutage(new TimeoutException($"Redis did not answer the store of '{Key}' within OperationTimeout ({_options.OperationTimeout}) at start-up."));
        }

        _timer = _options.TimeProvider.CreateTimer(static store => ((RedisNygardBreakerStateStore)store!).OnTick(), this, _options.MaxStaleness, _options.MaxStaleness);
    }

    /// <summary>Gets the Redis key that holds the breaker's state.</summary>
    public string Key => _keys.Name;

    /// <summary>Gets a value indicating whether Redis answered the store's last request.</summary>
    public bool IsAvailable => !_view.IsOutage;

    /// <inheritdoc/>
    public NygardBreakerSnapshot Current => _view.Current.Snapshot;

    /// <summary>Gets the number of round trips (scripts) this store has sent to Redis; for tests and benchmarks.</summary>
    internal long RoundTrips => _commands.RoundTrips;

    /// <summary>
    /// Returns the Redis server's time, as measured by the last round trip and carried forward on this host's clock.
    /// </summary>
    /// <param name="localTime">Not used: a shared breaker keeps the store's time.</param>
    /// <returns>The current time on the Redis server's clock.</returns>
    public DateTimeOffset GetUtcNow(TimeProvider localTime) => _clock.UtcNow;

    /// <inheritdoc/>
    public async ValueTask<bool> TryReplaceAsync(NygardBreakerSnapshot expected, NygardBreakerSnapshot replacement, object? cause, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(replacement);

        var started = Stopwatch.GetTimestamp();
        if (!ReferenceEquals(_view.Current.Snapshot, expected))
        {
            return false; // computed from an older view: Current already differs, so the caller recomputes
        }

        if (_view.IsOutage)
        {
            // Connected again but not yet recovered (the next re-read has not come): try Redis now rather than let a
            // change made on the local breaker be dropped when the shared state is taken up.
            if (!_connection.IsConnected)
            {
                return _view.ReplaceLocally(expected, replacement, cause);
            }

            await ReadAsync(started).ConfigureAwait(false);
            if (_view.IsOutage)
            {
                return _view.ReplaceLocally(expected, replacement, cause);
            }

            if (!ReferenceEquals(_view.Current.Snapshot, expected))
            {
                return false; // recovered onto a different shared state: the caller decides again on it
            }

            // Recovered onto the state the change was computed from: it goes to Redis now.
        }

        if (!await _io.WaitAsync(Remaining(started), CancellationToken.None).ConfigureAwait(false))
        {
            EnterOutage(new TimeoutException($"Redis did not answer the store of '{Key}' within OperationTimeout ({_options.OperationTimeout})."));
            return _view.ReplaceLocally(expected, replacement, cause);
        }

        try
        {
            var entry = _view.Current;
            if (!ReferenceEquals(entry.Snapshot, expected))
            {
                return false;
            }

            if (_view.IsOutage || entry.Raw is not { } expectedRaw)
            {
                return _view.ReplaceLocally(expected, replacement, cause);
            }

            var incarnation = entry.Incarnation ?? SnapshotCodec.NewIncarnation();
            var next = new StoredEntry(replacement, SnapshotCodec.Encode(incarnation, replacement), incarnation);

            // At most two round trips: the second only when Redis lost, rolled back or corrupted the value this process
            // knows, in which case the replacement (computed from the newer state known here) is written over it.
            for (var attempt = 0; attempt < 2; attempt++)
            {
                CasReply reply;
                try
                {
                    _writing = next.Hint;
                    reply = await _commands.CompareAndSwapAsync(expectedRaw, next.Raw!, next.Hint, Remaining(started)).ConfigureAwait(false);
                }
                catch (Exception e) when (IsRedisFailure(e))
                {
                    EnterOutage(e);
                    return _view.ReplaceLocally(expected, replacement, cause);
                }

                if (reply.Stored)
                {
                    _view.ApplyOwnWrite(next, cause);

                    return true;
                }

                if (_view.Reconcile(reply.Current!, fromOwnWrite: true) is not { } overwrite)
                {
                    return false; // Current now holds Redis's newer value (the caller recomputes), or nothing changed
                }

                expectedRaw = overwrite;
            }

            return false;
        }
        finally
        {
            _writing = null;
            _io.Release();
        }
    }

    /// <inheritdoc/>
    public IDisposable Subscribe(INygardBreakerStateObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);

        return _view.Subscribe(observer);
    }

    /// <summary>Stops refreshing and listening; the key in Redis is left for the other instances.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _timer?.Dispose();
        _connection.ConnectionFailed -= OnConnectionFailed;
        _connection.ConnectionRestored -= OnConnectionRestored;
        if (_subscribed)
        {
            StoreCommands.Observe(_connection.GetSubscriber().UnsubscribeAsync(_keys.Channel, OnMessage));
        }
    }

    private void EnterOutage(Exception error)
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            HoldFailureCounting();
            _view.EnterOutage(error);
        }
    }

    /// <summary>
    /// Sends failures through the compare-and-swap path, which repairs and writes back what Redis lost, until the fleet
    /// has had <see cref="RedisNygardBreakerStateStoreOptions.MaxStaleness"/> to settle after an outage or a reconnect.
    /// </summary>
    private void HoldFailureCounting() =>
        Interlocked.Exchange(ref _countingAllowedFromTicks, (_options.TimeProvider.GetUtcNow() + _options.MaxStaleness).UtcTicks);

    private static bool IsRedisFailure(Exception e) => e is RedisException or TimeoutException or ObjectDisposedException;

    private TimeSpan Remaining(long started) => _options.OperationTimeout - Stopwatch.GetElapsedTime(started);
}
