namespace Nygard.Resilience.Samples;

/// <summary>An in-process stand-in for a remote dependency that the script can take down, slow down and bring back.</summary>
internal sealed class FlakyInventoryService
{
    private int _stock = 42;

    public ServiceHealth Health { get; set; } = ServiceHealth.Up;

    public int Calls { get; private set; }

    public async ValueTask<int> GetStockAsync(CancellationToken cancellationToken)
    {
        Calls++;
        switch (Health)
        {
            case ServiceHealth.Down:
                throw new InvalidOperationException("inventory service unavailable (503)");
            case ServiceHealth.Hanging:
                await Task.Delay(Timeout.Infinite, cancellationToken);
                break;
        }

        await Task.Yield();
        return _stock--;
    }
}
