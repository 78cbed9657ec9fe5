using System.Net;
using System.Net.Sockets;
using Garnet;
using StackExchange.Redis;

namespace Nygard.Resilience.Testing;

/// <summary>
/// Microsoft Garnet, started in this process on a free loopback port with Lua enabled, and run as transactions
/// (<c>--lua-transaction-mode</c>: without it Garnet does not run a script atomically); stopped when disposed.
/// </summary>
public sealed class GarnetTestServer : ITestRedis, IDisposable
{
    private readonly GarnetServer _server;

    private GarnetTestServer(int port, GarnetServer server)
    {
        Port = port;
        _server = server;
    }

    public int Port { get; }

    public string Name => $"garnet:{Port}";

    public static GarnetTestServer Start()
    {
        var port = FreePort();
        var server = new GarnetServer(["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--lua", "--lua-transaction-mode"]);
        server.Start();
        return new GarnetTestServer(port, server);
    }

    public ConfigurationOptions Configuration() => RedisServer.FailFastConfiguration(Port);

    public async Task<ConnectionMultiplexer> ConnectAsync() => await ConnectionMultiplexer.ConnectAsync(Configuration());

    public void Dispose() => _server.Dispose();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
