namespace Nygard.Resilience.Testing;

/// <summary>The shared helper is one of the servers the store's tests run against.</summary>
public sealed partial class RedisServer : ITestRedis
{
}
