using StackExchange.Redis;

namespace Nygard.Resilience.Testing;

/// <summary>A Redis-compatible server (or cluster) that a test or benchmark connects to on loopback.</summary>
public interface ITestRedis
{
    /// <summary>Gets the name to show in test output.</summary>
    string Name { get; }

    /// <summary>Returns the client configuration for this server: fail fast, no abort on connect failure.</summary>
    ConfigurationOptions Configuration();

    /// <summary>Connects a new multiplexer.</summary>
    Task<ConnectionMultiplexer> ConnectAsync();
}
