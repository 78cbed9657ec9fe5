namespace Nygard.Resilience.Redis.Tests.Support;

/// <summary>Records what a store tells its observers, to check order and availability reports.</summary>
internal sealed class RecordingObserver : INygardBreakerStateObserver
{
    private readonly List<(NygardBreakerSnapshot Previous, NygardBreakerSnapshot Current, object? Cause)> _changes = [];
    private readonly List<(bool IsAvailable, Exception? Exception)> _availability = [];
    private readonly List<Exception> _problems = [];

    public IReadOnlyList<Exception> Problems
    {
        get
        {
            lock (_problems)
            {
                return [.. _problems];
            }
        }
    }

    public IReadOnlyList<(NygardBreakerSnapshot Previous, NygardBreakerSnapshot Current, object? Cause)> Changes
    {
        get
        {
            lock (_changes)
            {
                return [.. _changes];
            }
        }
    }

    public IReadOnlyList<(bool IsAvailable, Exception? Exception)> Availability
    {
        get
        {
            lock (_availability)
            {
                return [.. _availability];
            }
        }
    }

    public void OnChanged(NygardBreakerSnapshot previous, NygardBreakerSnapshot current, object? cause)
    {
        lock (_changes)
        {
            _changes.Add((previous, current, cause));
        }
    }

    public void OnStoreAvailabilityChanged(bool isAvailable, Exception? exception)
    {
        lock (_availability)
        {
            _availability.Add((isAvailable, exception));
        }
    }

    public void OnStoreProblem(Exception problem)
    {
        lock (_problems)
        {
            _problems.Add(problem);
        }
    }
}
