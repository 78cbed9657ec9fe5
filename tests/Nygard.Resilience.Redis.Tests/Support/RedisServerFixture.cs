using Nygard.Resilience.Testing;
namespace Nygard.Resilience.Redis.Tests.Support;

/// <summary>One Redis server for a test class; tests use distinct keys. Absent when redis-server is not installed.</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    public RedisServer? Server { get; private set; }

    public async Task InitializeAsync()
    {
        if (RedisServer.MissingReason is null)
        {
            Server = await RedisServer.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    /// <summary>Returns the server, or skips the calling test with the reason when there is none.</summary>
    public RedisServer Require()
    {
        Skip.If(Server is null, RedisServer.MissingReason);
        return Server!;
    }
}
