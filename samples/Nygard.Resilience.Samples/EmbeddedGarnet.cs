using System.Net;
using System.Net.Sockets;
using Garnet;

namespace Nygard.Resilience.Samples;

/// <summary>
/// A Microsoft Garnet server inside this process on a free loopback port, with Lua enabled and run as transactions
/// (the store's scripts must be atomic): the Redis sample needs nothing installed.
/// </summary>
internal sealed class EmbeddedGarnet : IDisposable
{
    private readonly GarnetServer _server;

    private EmbeddedGarnet(GarnetServer server, int port)
    {
        _server = server;
        Endpoint = $"127.0.0.1:{port}";
    }

    public string Endpoint { get; }

    public static EmbeddedGarnet Start()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var server = new GarnetServer(["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--lua", "--lua-transaction-mode"]);
        server.Start();
        return new EmbeddedGarnet(server, port);
    }

    public void Dispose() => _server.Dispose();
}
