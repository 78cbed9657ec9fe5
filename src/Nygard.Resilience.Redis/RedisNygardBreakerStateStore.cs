using System.Globalization;
using Polly.CircuitBreaker;
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
/// The cache learns of changes through Redis pub/sub and re-reads the state every
/// <see cref="RedisNygardBreakerStateStoreOptions.MaxStaleness"/>. Every change is one Lua compare-and-swap on one
/// hash-tagged key; deadlines are measured on the Redis server's clock.
/// </para>
/// <para>
/// A call never fails, and never waits longer than <see cref="RedisNygardBreakerStateStoreOptions.OperationTimeout"/>,
/// because Redis is down: the store then behaves as <see cref="RedisNygardBreakerStateStoreOptions.OutageBehavior"/>
/// says until Redis answers again, and reports the outage and the recovery to the breaker's telemetry.
/// For the fastest failover, configure the multiplexer with <c>AbortOnConnectFail = false</c> and
/// <c>BacklogPolicy = BacklogPolicy.FailFast</c>.
/// </para>
/// </remarks>
public sealed class RedisNygardBreakerStateStore : INygardBreakerStateStore, IDisposable
{
    private readonly IConnectionMultiplexer _connection;
    private readonly RedisNygardBreakerStateStoreOptions _options;
    private readonly RedisKey[] _keys;
    private readonly RedisChannel _channel;
    private readonly RedisValue _channelName;
    private readonly RedisValue _expiryMilliseconds;
    private readonly object _gate = new();
    private readonly ITimer _refreshTimer;
    private readonly NygardBreakerStateObservers _observers = new();
    private volatile NygardBreakerSnapshot _current = NygardBreakerSnapshot.Initial;
    private NygardBreakerSnapshot _shared = NygardBreakerSnapshot.Initial;
    private long _clockOffsetTicks;
    private volatile bool _unavailable;
    private int _refreshing;
    private int _subscribed;
    private int _disposed;

    /// <summary>
    /// Initializes a new instance of the <see cref="RedisNygardBreakerStateStore"/> class.
    /// </summary>
    /// <param name="connection">The Redis connection.</param>
    /// <param name="key">The breaker's name in Redis; every store with the same key (and prefix) is the same breaker.</param>
    /// <param name="options">The store's options, or <see langword="null"/> for the defaults.</param>
    /// <remarks>
    /// The constructor reads the shared state once, waiting at most <see cref="RedisNygardBreakerStateStoreOptions.OperationTimeout"/>
    /// for it, so that the first call already sees a breaker that is open elsewhere.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> or <paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty, or an option is out of range (the message names it).</exception>
    public RedisNygardBreakerStateStore(IConnectionMultiplexer connection, string key, RedisNygardBreakerStateStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        _options = options ?? new RedisNygardBreakerStateStoreOptions();
        Validate(_options);

        _connection = connection;
        var name = $"{_options.KeyPrefix}{{{key}}}";
        _keys = [name];
        _channelName = $"{name}:changes";
        _channel = RedisChannel.Literal(_channelName.ToString());
        _expiryMilliseconds = (long)_options.KeyExpiry.TotalMilliseconds;
        Key = name;

        _connection.ConnectionFailed += OnConnectionFailed;
        _connection.ConnectionRestored += OnConnectionRestored;

        // Join the shared state before the first call, so that a newcomer never lets a call through a breaker that
        // is open elsewhere. The read is bounded by OperationTimeout; an unreachable Redis starts the store in outage.
        Volatile.Write(ref _refreshing, 1);
        RefreshAsync().GetAwaiter().GetResult();
        _refreshTimer = _options.TimeProvider.CreateTimer(static store => ((RedisNygardBreakerStateStore)store!).StartRefresh(), this, _options.MaxStaleness, _options.MaxStaleness);
    }

    /// <summary>Gets the Redis key that holds the breaker's state.</summary>
    public string Key { get; }

    /// <summary>Gets a value indicating whether Redis answered the store's last request.</summary>
    public bool IsAvailable => !_unavailable;

    /// <inheritdoc/>
    public NygardBreakerSnapshot Current => _current;

    /// <summary>
    /// Returns the Redis server's time, as measured by the last round trip and carried forward on this host's clock.
    /// </summary>
    /// <param name="localTime">Not used: a shared breaker keeps the store's time.</param>
    /// <returns>The current time on the Redis server's clock.</returns>
    public DateTimeOffset GetUtcNow(TimeProvider localTime) =>
        _options.TimeProvider.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _clockOffsetTicks));

    /// <inheritdoc/>
    public async ValueTask<bool> TryReplaceAsync(NygardBreakerSnapshot expected, NygardBreakerSnapshot replacement, object? cause, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(replacement);

        if (_unavailable || !_connection.IsConnected)
        {
            EnterOutage(null);
            return ReplaceDuringOutage(expected, replacement, cause);
        }

        RedisResult[] reply;
        var sent = _options.TimeProvider.GetUtcNow();
        try
        {
            RedisValue[] arguments = [expected.Version, replacement.Version, SnapshotCodec.Encode(replacement), _expiryMilliseconds, _channelName];
            reply = (RedisResult[])(await _connection.GetDatabase()
                .ScriptEvaluateAsync(RedisScripts.CompareAndSwap, _keys, arguments)
                .WaitAsync(_options.OperationTimeout, CancellationToken.None)
                .ConfigureAwait(false))!;
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            EnterOutage(e);
            return ReplaceDuringOutage(expected, replacement, cause);
        }

        UpdateClock(sent, reply[1], reply[2]);
        if ((int)reply[0] == 1)
        {
            Apply(replacement, authoritative: true, cause);
            return true;
        }

        Apply(SnapshotCodec.Decode((string?)reply[3]), authoritative: true, cause: null);
        return false;
    }

    /// <inheritdoc/>
    public IDisposable Subscribe(INygardBreakerStateObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);

        lock (_gate)
        {
            var subscription = _observers.Add(observer);
            if (_unavailable)
            {
                observer.OnStoreAvailabilityChanged(false, null); // a breaker built during an outage learns of it too
            }

            return subscription;
        }
    }

    /// <summary>Stops refreshing and listening; the key in Redis is left for the other instances.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _refreshTimer.Dispose();
        _connection.ConnectionFailed -= OnConnectionFailed;
        _connection.ConnectionRestored -= OnConnectionRestored;
        if (Volatile.Read(ref _subscribed) == 1)
        {
            _ = _connection.GetSubscriber().UnsubscribeAsync(_channel, OnMessage);
        }
    }

    private static void Validate(RedisNygardBreakerStateStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options.KeyPrefix, nameof(RedisNygardBreakerStateStoreOptions.KeyPrefix));
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(RedisNygardBreakerStateStoreOptions.TimeProvider));
        if (options.KeyExpiry <= TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.KeyExpiry, $"{nameof(RedisNygardBreakerStateStoreOptions.KeyExpiry)} must be more than one day, the longest break.");
        }

        if (options.MaxStaleness <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxStaleness, $"{nameof(RedisNygardBreakerStateStoreOptions.MaxStaleness)} must be greater than zero.");
        }

        if (options.OperationTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.OperationTimeout, $"{nameof(RedisNygardBreakerStateStoreOptions.OperationTimeout)} must be greater than zero.");
        }
    }

    private void StartRefresh()
    {
        if (Volatile.Read(ref _disposed) == 0 && Interlocked.Exchange(ref _refreshing, 1) == 0)
        {
            _ = RefreshAsync();
        }
    }

    /// <summary>Re-reads the shared state and the server clock; ends an outage when Redis answers again.</summary>
    private async Task RefreshAsync()
    {
        try
        {
            if (!_connection.IsConnected)
            {
                EnterOutage(null);
                return;
            }

            await TrySubscribeAsync().ConfigureAwait(false);

            var sent = _options.TimeProvider.GetUtcNow();
            var reply = (RedisResult[])(await _connection.GetDatabase()
                .ScriptEvaluateAsync(RedisScripts.Read, _keys, [_expiryMilliseconds])
                .WaitAsync(_options.OperationTimeout)
                .ConfigureAwait(false))!;
            UpdateClock(sent, reply[0], reply[1]);
            var snapshot = SnapshotCodec.Decode((string?)reply[2]);
            if (_unavailable)
            {
                ExitOutage(snapshot);
            }
            else
            {
                Apply(snapshot, authoritative: false, cause: null);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            EnterOutage(e);
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    /// <summary>
    /// Listens for changes. Pub/sub only makes news arrive sooner (the refresh bounds staleness without it), so a
    /// subscription that fails is not an outage: it is tried again at the next refresh.
    /// </summary>
    private async Task TrySubscribeAsync()
    {
        if (Volatile.Read(ref _subscribed) == 1)
        {
            return;
        }

        try
        {
            await _connection.GetSubscriber().SubscribeAsync(_channel, OnMessage).WaitAsync(_options.OperationTimeout).ConfigureAwait(false);
            Volatile.Write(ref _subscribed, 1);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
        }
    }

    private void OnMessage(RedisChannel channel, RedisValue message) => Apply(SnapshotCodec.Decode(message), authoritative: false, cause: null);

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) => EnterOutage(e.Exception);

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e) => StartRefresh();

    private void UpdateClock(DateTimeOffset sent, RedisResult seconds, RedisResult microseconds)
    {
        var received = _options.TimeProvider.GetUtcNow();
        var server = DateTimeOffset.FromUnixTimeSeconds(long.Parse((string)seconds!, CultureInfo.InvariantCulture))
            .AddTicks(long.Parse((string)microseconds!, CultureInfo.InvariantCulture) * 10);
        var local = sent + ((received - sent) / 2);
        Interlocked.Exchange(ref _clockOffsetTicks, (server - local).Ticks);
    }

    /// <summary>
    /// Takes a snapshot read from Redis. Versions only rise in Redis, so an older one is a late message or a late
    /// read and is ignored, unless it comes from a compare-and-swap that Redis refused (then it is the truth: the key
    /// expired and started again).
    /// </summary>
    private void Apply(NygardBreakerSnapshot snapshot, bool authoritative, object? cause)
    {
        lock (_gate)
        {
            if (snapshot.Version == _shared.Version || (!authoritative && snapshot.Version < _shared.Version))
            {
                return;
            }

            _shared = snapshot;
            if (!_unavailable)
            {
                SetCurrent(snapshot, cause);
            }
        }
    }

    private bool ReplaceDuringOutage(NygardBreakerSnapshot expected, NygardBreakerSnapshot replacement, object? cause)
    {
        if (_options.OutageBehavior != RedisStoreOutageBehavior.LocalBreaker)
        {
            return true; // the fixed answer stands: the change is absorbed
        }

        lock (_gate)
        {
            if (_current.Version != expected.Version)
            {
                return false;
            }

            SetCurrent(replacement, cause);
            return true;
        }
    }

    private void EnterOutage(Exception? error)
    {
        lock (_gate)
        {
            if (_unavailable)
            {
                if (_options.OutageBehavior == RedisStoreOutageBehavior.RejectCalls)
                {
                    SetCurrent(Synthetic(CircuitState.Open, sameGeneration: true), cause: null);
                }

                return;
            }

            // The outage's answer is in place before anyone can see the store as unavailable.
            switch (_options.OutageBehavior)
            {
                case RedisStoreOutageBehavior.AllowCalls:
                    SetCurrent(Synthetic(CircuitState.Closed, sameGeneration: false), cause: null);
                    break;
                case RedisStoreOutageBehavior.RejectCalls:
                    SetCurrent(Synthetic(CircuitState.Open, sameGeneration: false), cause: null);
                    break;
            }

            _unavailable = true;

            _observers.NotifyAvailabilityChanged(false, error);
        }
    }

    private void ExitOutage(NygardBreakerSnapshot shared)
    {
        lock (_gate)
        {
            if (!_unavailable)
            {
                return;
            }

            _shared = shared;
            SetCurrent(shared, cause: null);
            _unavailable = false;
            _observers.NotifyAvailabilityChanged(true, null);
        }
    }

    /// <summary>The fixed answer of <see cref="RedisStoreOutageBehavior.AllowCalls"/> and <see cref="RedisStoreOutageBehavior.RejectCalls"/>.</summary>
    private NygardBreakerSnapshot Synthetic(CircuitState state, bool sameGeneration)
    {
        var now = GetUtcNow(_options.TimeProvider);
        var current = _current;
        return new NygardBreakerSnapshot(
            state,
            failureCount: 0,
            probeSuccesses: 0,
            failedProbes: 0,
            probeLeases: [],
            openUntil: state == CircuitState.Open ? now + (2 * _options.MaxStaleness) : null,
            transitionedAt: sameGeneration ? current.TransitionedAt : now,
            isManual: false,
            generation: sameGeneration ? current.Generation : current.Generation + 1,
            version: current.Version + 1);
    }

    /// <summary>Publishes a new current snapshot to the observers. Called under the gate, so they see changes in order.</summary>
    private void SetCurrent(NygardBreakerSnapshot next, object? cause)
    {
        var previous = _current;
        _current = next;
        _observers.NotifyChanged(previous, next, cause);
    }
}
