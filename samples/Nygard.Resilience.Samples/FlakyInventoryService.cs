using System.Runtime.CompilerServices;

namespace Nygard.Resilience.Samples;

/// <summary>An in-process stand-in for a remote dependency that the script can take down, slow down and bring back.</summary>
internal sealed class FlakyInventoryService
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _stock = 42;
    private int _calls;

    public ServiceHealth Health { get; set; } = ServiceHealth.Up;

    /// <summary>How many calls reached the service.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Lets calls waiting in <see cref="ServiceHealth.Slow"/> mode finish.</summary>
    public void OpenGate() => _gate.TrySetResult();

    public async ValueTask<int> GetStockAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        switch (Health)
        {
            case ServiceHealth.Down:
                throw new InvalidOperationException("inventory service unavailable (503)");
            case ServiceHealth.Hanging:
                await Task.Delay(Timeout.Infinite, cancellationToken);
                break;
            case ServiceHealth.Slow:
                await _gate.Task.WaitAsync(cancellationToken);
                break;
        }

        await Task.Yield();
        return Interlocked.Decrement(ref _stock);
    }

    public async IAsyncEnumerable<int> ReadRowsAsync(int rows, int? failAfter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        for (var row = 1; row <= rows; row++)
        {
            if (row - 1 == failAfter)
            {
                throw new InvalidOperationException("inventory stream broke (connection reset)");
            }

            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return row;
        }
    }
}
