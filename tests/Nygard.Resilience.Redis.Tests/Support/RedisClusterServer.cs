using System.Net;
using StackExchange.Redis;

namespace Nygard.Resilience.Testing;

/// <summary>
/// A Redis Cluster of three masters on loopback: three <c>redis-server --cluster-enabled yes</c> on free ports, joined by
/// <c>redis-cli --cluster create … --cluster-yes</c>; stopped when disposed.
/// </summary>
public sealed class RedisClusterServer : ITestRedis, IAsyncDisposable
{
    private readonly RedisServer[] _nodes;

    private RedisClusterServer(RedisServer[] nodes)
    {
        _nodes = nodes;
    }

    public string Name => $"redis-cluster:{string.Join(',', _nodes.Select(n => n.Port))}";

    public static async Task<RedisClusterServer> StartAsync()
    {
        var nodes = new List<RedisServer>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                nodes.Add(await RedisServer.StartAsync("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000"));
            }

            await RedisServer.CliAsync(["--cluster", "create", .. nodes.Select(n => $"127.0.0.1:{n.Port}"), "--cluster-replicas", "0", "--cluster-yes"]);
            var cluster = new RedisClusterServer([.. nodes]);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            foreach (var node in nodes)
            {
                while (!(await RedisServer.CliAsync("-p", node.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "cluster", "info")).Contains("cluster_state:ok", StringComparison.Ordinal))
                {
                    if (DateTime.UtcNow > deadline)
                    {
                        throw new TimeoutException("The test cluster did not reach cluster_state:ok within 30 seconds.");
                    }

                    await Task.Delay(100);
                }
            }

            return cluster;
        }
        catch
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            throw;
        }
    }

    public ConfigurationOptions Configuration() => RedisServer.FailFastConfiguration([.. _nodes.Select(n => n.Port)]);

    public async Task<ConnectionMultiplexer> ConnectAsync() => await ConnectionMultiplexer.ConnectAsync(Configuration());

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }
}
