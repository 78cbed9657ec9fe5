using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Nygard.Resilience.Metrics;

namespace Nygard.Resilience.Registry;

/// <summary>
/// Every breaker built through dependency injection in one service provider: the state that survives options
/// reloads, and what the health check, the metrics and status pages read.
/// </summary>
internal sealed class NygardBreakerRegistry
{
    private static readonly ConditionalWeakTable<IServiceProvider, NygardBreakerRegistry> Unregistered = new();

    private readonly ConcurrentDictionary<NygardBreakerIdentity, NygardBreakerEntry> _entries = new();
    private readonly INygardBreakerStateStoreFactory? _storeFactory;

    public NygardBreakerRegistry(IServiceProvider services)
    {
        _storeFactory = services.GetService<INygardBreakerStateStoreFactory>();
        Metrics = new NygardBreakerMetrics(this, services.GetService<System.Diagnostics.Metrics.IMeterFactory>());
    }

    public NygardBreakerMetrics Metrics { get; }

    public IEnumerable<NygardBreakerEntry> Entries => _entries.Values.OrderBy(e => e.Identity.Key, StringComparer.Ordinal);

    /// <summary>Registers the registry as a singleton, unless it already is.</summary>
    public static void AddTo(IServiceCollection services) => services.TryAddSingleton(static sp => new NygardBreakerRegistry(sp));

    /// <summary>Returns the registry of a service provider: the registered one, or one kept for that provider.</summary>
    public static NygardBreakerRegistry For(IServiceProvider services) =>
        services.GetService<NygardBreakerRegistry>() ?? Unregistered.GetValue(services, static sp => new NygardBreakerRegistry(sp));

    /// <summary>Returns the breaker with that identity, creating it (and its store) the first time.</summary>
    /// <param name="identity">The breaker's identity.</param>
    /// <param name="ownStore">The store set on the options, which takes precedence.</param>
    public NygardBreakerEntry GetOrAdd(NygardBreakerIdentity identity, INygardBreakerStateStore? ownStore)
    {
        var entry = _entries.GetOrAdd(identity, id => new NygardBreakerEntry(id, ownStore ?? _storeFactory?.Create(id.Key) ?? new InMemoryNygardBreakerStateStore()));
        if (ownStore is not null && !ReferenceEquals(entry.Store, ownStore))
        {
            // The options now name another store: that store is the breaker's state from here on.
            entry = _entries[identity] = new NygardBreakerEntry(identity, ownStore);
        }

        return entry;
    }
}
