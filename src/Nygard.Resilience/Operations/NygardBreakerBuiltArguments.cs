namespace Nygard.Resilience;

/// <summary>
/// Arguments of the <c>OnNygardBreakerBuilt</c> telemetry event (severity Debug), reported once by every breaker when
/// its pipeline is built, so that a telemetry listener can keep a registry of every breaker.
/// </summary>
public readonly struct NygardBreakerBuiltArguments
{
    /// <summary>
    /// Initializes a new instance of the <see cref="NygardBreakerBuiltArguments"/> struct.
    /// </summary>
    /// <param name="breaker">The breaker that was built.</param>
    public NygardBreakerBuiltArguments(NygardBreakerHandle breaker)
    {
        Breaker = breaker;
    }

    /// <summary>Gets the breaker that was built.</summary>
    public NygardBreakerHandle Breaker { get; }
}
