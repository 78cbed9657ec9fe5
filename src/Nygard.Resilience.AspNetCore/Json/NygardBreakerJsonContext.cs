using System.Text.Json.Serialization;

namespace Nygard.Resilience.AspNetCore.Json;

/// <summary>Source-generated JSON for the endpoints (trim and AOT safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(BreakerView))]
[JsonSerializable(typeof(BreakerView[]))]
[JsonSerializable(typeof(TransitionView))]
[JsonSerializable(typeof(RatesView))]
internal sealed partial class NygardBreakerJsonContext : JsonSerializerContext
{
}
