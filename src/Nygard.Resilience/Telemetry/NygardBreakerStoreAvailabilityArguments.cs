namespace Nygard.Resilience;

/// <summary>
/// Arguments of the <c>OnNygardBreakerStoreUnavailable</c> and <c>OnNygardBreakerStoreRestored</c> telemetry
/// events, reported when a breaker's remote state store loses or regains its backend.
/// </summary>
public readonly struct NygardBreakerStoreAvailabilityArguments
{
    /// <summary>
    /// Initializes a new instance of the <see cref="NygardBreakerStoreAvailabilityArguments"/> struct.
    /// </summary>
    /// <param name="isAvailable">Whether the backend is reachable.</param>
    /// <param name="exception">What made it unavailable, if known.</param>
    public NygardBreakerStoreAvailabilityArguments(bool isAvailable, Exception? exception)
    {
        IsAvailable = isAvailable;
        Exception = exception;
    }

    /// <summary>Gets a value indicating whether the backend is reachable.</summary>
    public bool IsAvailable { get; }

    /// <summary>Gets what made the backend unavailable, if known.</summary>
    public Exception? Exception { get; }
}
