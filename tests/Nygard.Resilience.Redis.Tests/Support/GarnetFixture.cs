using Nygard.Resilience.Testing;

namespace Nygard.Resilience.Redis.Tests.Support;

/// <summary>One in-process Garnet server for a test class; tests use distinct keys.</summary>
public sealed class GarnetFixture : IDisposable
{
    public GarnetTestServer Server { get; } = GarnetTestServer.Start();

    public void Dispose() => Server.Dispose();
}
