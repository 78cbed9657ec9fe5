using Nygard.Resilience.Testing;

namespace Nygard.Resilience.Redis.Tests.Support;

/// <summary>A three-master Redis Cluster on loopback for a test class. Absent when redis-server is not installed.</summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    public RedisClusterServer? Server { get; private set; }

    public async Task InitializeAsync()
    {
        if (RedisServer.MissingReason is null)
        {
            Server = await RedisClusterServer.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    /// <summary>Returns the cluster, or skips the calling test with the reason when there is none.</summary>
    public RedisClusterServer Require()
    {
        Skip.If(Server is null, RedisServer.MissingReason);
        return Server!;
    }
}
