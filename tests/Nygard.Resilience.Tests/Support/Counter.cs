namespace Nygard.Resilience.Tests.Support;

/// <summary>A thread-safe count of how often something happened.</summary>
internal sealed class Counter
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public int Increment() => Interlocked.Increment(ref _count);

    public ValueTask IncrementAsync()
    {
        Increment();
        return default;
    }
}
