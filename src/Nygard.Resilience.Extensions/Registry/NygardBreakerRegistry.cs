using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nygard.Resilience.Logging;
using Nygard.Resilience.Metrics;
using Nygard.Resilience.DependencyInjection;
using Nygard.Resilience.Registry;
using Polly;
using Polly.CircuitBreaker;
using Polly.Telemetry;

namespace Nygard.Resilience;

/// <summary>
/// Every circuit breaker built in one dependency injection container, however it was declared: inline options
/// inside <c>AddResiliencePipeline</c>, <c>AddNygardBreaker(context)</c>, and each authority of an <c>HttpClient</c>
/// resilience handler. It lists them with their live state and options, applies the four manual commands by id,
/// and reports every transition. The health check, the metrics and the operations endpoints read from it.
/// </summary>
/// <remarks>
/// <para>
/// Register it with <c>services.AddNygardBreakerRegistry()</c> (the health check, options and endpoint registrations
/// do it for you) and resolve it from the container. It learns of breakers through the container's Polly telemetry
/// (<see cref="TelemetryOptions"/>): a breaker appears once its pipeline has been built (on first use). Nothing is
/// kept in static state: two containers in one process never see each other's breakers.
/// </para>
/// <para>Disposing the registry (the container does it) disposes the state stores it created from an <see cref="INygardBreakerStateStoreFactory"/>.</para>
/// </remarks>
public sealed class NygardBreakerRegistry : IDisposable
{
    private readonly ConcurrentDictionary<NygardBreakerId, RegisteredBreaker> _breakers = new();
    private readonly ConcurrentDictionary<NygardBreakerId, INygardBreakerStateStore> _stores = new();
    private readonly ConcurrentDictionary<NygardBreakerStateProvider, NygardBreakerId> _stateProviders = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentQueue<IDisposable> _owned = new();
    private readonly ConcurrentDictionary<(Type, string), bool> _unconfiguredNames = new();
    private readonly INygardBreakerStateStoreFactory? _storeFactory;
    private readonly ILogger _logger;
    private int _disposed;

    internal NygardBreakerRegistry(INygardBreakerStateStoreFactory? storeFactory, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory)
    {
        _storeFactory = storeFactory;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Nygard.Resilience");
        Listener = new RegistryTelemetryListener(this);
        Metrics = new NygardBreakerMetrics(this, meterFactory);
        if (meterFactory is null)
        {
            _owned.Enqueue(Metrics);
        }
    }

    /// <summary>
    /// Occurs once per transition of a registered breaker, in the order the breaker made them. Handlers run on the
    /// thread that raises the breaker's events: keep them short. A handler that throws is logged and ignored.
    /// </summary>
    public event EventHandler<NygardBreakerTransitionEventArgs>? Transitioned;

    /// <summary>Gets every live breaker, ordered by id.</summary>
    public IReadOnlyList<NygardBreakerHandle> Breakers =>
        [.. Live().OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => b.Handle!)];

    /// <summary>Gets the telemetry listener that the container's <see cref="TelemetryOptions"/> carries.</summary>
    internal TelemetryListener Listener { get; }

    internal NygardBreakerMetrics Metrics { get; }

    internal ILogger Logger => _logger;

    internal IEnumerable<RegisteredBreaker> Registered => Live();

    /// <summary>Finds a live breaker by its id's string form (<see cref="NygardBreakerId.ToString"/>, for example <c>orders/NygardBreaker</c>).</summary>
    /// <param name="id">The id.</param>
    /// <param name="breaker">The breaker, when found.</param>
    /// <returns><see langword="true"/> when a live breaker has that id.</returns>
    public bool TryGetBreaker(string id, [NotNullWhen(true)] out NygardBreakerHandle? breaker)
    {
        ArgumentNullException.ThrowIfNull(id);
        breaker = Live().FirstOrDefault(b => string.Equals(b.Key, id, StringComparison.Ordinal))?.Handle;
        return breaker is not null;
    }

    /// <summary>Gets the calls a breaker has seen since it was registered, by outcome.</summary>
    /// <param name="id">The breaker's id.</param>
    /// <returns>The totals; zero for a breaker the registry does not know.</returns>
    /// <remarks>
    /// Every registered breaker counts its calls, however it was declared, through the
    /// <see cref="NygardBreakerHandle.CallCounter"/> the registry gives it. The totals of one id survive options reloads.
    /// </remarks>
    public NygardBreakerCallCounts GetCallCounts(NygardBreakerId id) =>
        _breakers.TryGetValue(id, out var breaker) ? breaker.Counter.Counts : default;

    /// <summary>Applies a manual command to the breaker with that id.</summary>
    /// <param name="id">The breaker's id, as <see cref="NygardBreakerId.ToString"/> writes it.</param>
    /// <param name="command">The command.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns><see langword="true"/> when the command was applied; <see langword="false"/> for an unknown id.</returns>
    public async Task<bool> TryExecuteAsync(string id, NygardBreakerCommand command, CancellationToken cancellationToken = default)
    {
        if (!TryGetBreaker(id, out var breaker))
        {
            return false;
        }

        await (command switch
        {
            NygardBreakerCommand.Open => breaker.OpenAsync(cancellationToken),
            NygardBreakerCommand.HalfOpen => breaker.HalfOpenAsync(cancellationToken),
            NygardBreakerCommand.Close => breaker.CloseAsync(cancellationToken),
            NygardBreakerCommand.Isolate => breaker.IsolateAsync(cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command, "Unknown breaker command."),
        }).ConfigureAwait(false);
        return true;
    }

    /// <summary>Disposes the state stores the registry created and stops reporting.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Transitioned = null;
        while (_owned.TryDequeue(out var owned))
        {
            owned.Dispose();
        }
    }

    /// <summary>
    /// Prepares the options of a breaker that this package builds: its state store (kept across reloads) and a state
    /// provider that only one breaker holds.
    /// </summary>
    internal (TOptions Options, INygardBreakerStateStore Store) Prepare<TOptions, TResult>(
        ResiliencePipelineBuilderBase builder,
        TOptions configured,
        Func<TOptions> create,
        string fallbackPipelineName,
        string? fallbackInstanceName)
        where TOptions : NygardBreakerStrategyOptions<TResult>
    {
        var instance = string.IsNullOrEmpty(builder.InstanceName) ? fallbackInstanceName : builder.InstanceName;
        var id = new NygardBreakerId(builder.Name ?? fallbackPipelineName, string.IsNullOrEmpty(instance) ? null : instance, configured.Name ?? "NygardBreaker");
        var store = GetOrAddStore(id, configured.StateStore);
        if (configured.StateProvider is { } provider && _stateProviders.GetOrAdd(provider, id) is var holder && holder != id)
        {
            // One provider, one breaker: with one breaker per authority it stays with the first one. The configured
            // options are shared by every authority, so this breaker gets a copy without the provider.
            var options = create();
            NygardBreakerOptionsCopy.CopyTo(configured, options);
            options.StateProvider = null;
            NygardBreakerLog.StateProviderNotShared(_logger, id.ToString(), holder.ToString());
            return (options, store);
        }

        return (configured, store);
    }

    /// <summary>Returns true the first time an unconfigured options name is reported, so that it is logged once.</summary>
    internal bool FirstUseOfUnconfiguredName(Type optionsType, string name) => _unconfiguredNames.TryAdd((optionsType, name), true);

    internal void OnBuilt(NygardBreakerHandle handle) =>
        _breakers.GetOrAdd(handle.Id, static id => new RegisteredBreaker(id)).Attach(handle);

    internal void OnTransition(NygardBreakerId id, CircuitState to, bool? isManual, TimeSpan? breakDuration)
    {
        if (!_breakers.TryGetValue(id, out var breaker) || breaker.Handle is not { } handle)
        {
            return; // not one of ours (for example Polly's own breaker)
        }

        var from = breaker.MoveTo(to);
        var snapshot = handle.Snapshot;
        var manual = isManual ?? (snapshot.State == to && snapshot.IsManual);
        var at = snapshot.State == to && snapshot.TransitionedAt != DateTimeOffset.MinValue ? snapshot.TransitionedAt : handle.GetUtcNow();
        var key = breaker.Key;
        if (to == CircuitState.Isolated)
        {
            NygardBreakerLog.Isolated(_logger, key, from, snapshot.FailureCount, manual);
        }
        else
        {
            var level = to == CircuitState.Open ? LogLevel.Warning : LogLevel.Information;
            NygardBreakerLog.Transition(_logger, level, key, from, to, snapshot.FailureCount, breakDuration, manual);
        }

        Raise(new NygardBreakerTransitionEventArgs(id, from, to, manual, at, snapshot.FailureCount, breakDuration));
    }

    internal void ReportListenerFailure(Exception exception) => NygardBreakerLog.ObserverFailed(_logger, exception);

    private INygardBreakerStateStore GetOrAddStore(NygardBreakerId id, INygardBreakerStateStore? own)
    {
        if (own is not null)
        {
            // The options name a store: that store is the breaker's state from here on.
            _stores[id] = own;
            return own;
        }

        return _stores.GetOrAdd(id, id =>
        {
            var created = _storeFactory?.Create(id.ToString()) ?? new InMemoryNygardBreakerStateStore();
            if (created is IDisposable disposable)
            {
                _owned.Enqueue(disposable);
            }

            return created;
        });
    }

    private void Raise(NygardBreakerTransitionEventArgs args)
    {
        if (Transitioned is not { } handlers)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList().Cast<EventHandler<NygardBreakerTransitionEventArgs>>())
        {
            try
            {
                handler(this, args);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                NygardBreakerLog.ObserverFailed(_logger, e);
            }
        }
    }

    private IEnumerable<RegisteredBreaker> Live() =>
        _breakers.Values.Where(b => b.Handle is { IsDisposed: false });
}
