namespace Nygard.Resilience;

/// <summary>
/// Arguments of the <c>OnNygardBreakerObserverFailed</c> telemetry event, reported when an event delegate or a
/// listener throws. The breaker's state and the caller's outcome are not affected.
/// </summary>
public readonly struct NygardBreakerObserverFailedArguments
{
    /// <summary>
    /// Initializes a new instance of the <see cref="NygardBreakerObserverFailedArguments"/> struct.
    /// </summary>
    /// <param name="observer">What threw, such as <c>OnOpened</c> or a listener's type and method.</param>
    /// <param name="exception">The exception it threw.</param>
    public NygardBreakerObserverFailedArguments(string observer, Exception exception)
    {
        Observer = observer;
        Exception = exception;
    }

    /// <summary>Gets what threw, such as <c>OnOpened</c> or a listener's type and method.</summary>
    public string Observer { get; }

    /// <summary>Gets the exception it threw.</summary>
    public Exception Exception { get; }
}
