namespace Nygard.Resilience.WebSample;

/// <summary>The deliberately flaky "inventory service" this app calls: healthy, failing, or hanging, as you choose.</summary>
internal sealed class FlakyDownstream
{
    private volatile string _mode = "up";
    private int _stock = 1000;

    public string Mode => _mode;

    /// <summary>Switches the mode; returns false (and changes nothing) for an unknown one.</summary>
    public bool TrySet(string mode)
    {
        if (mode is not ("up" or "down" or "slow"))
        {
            return false;
        }

        _mode = mode;
        return true;
    }

    public async Task<IResult> HandleAsync(CancellationToken cancellationToken)
    {
        switch (_mode)
        {
            case "down":
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            case "slow":
                await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
                break;
        }

        return Results.Ok(new { stock = Interlocked.Decrement(ref _stock) });
    }
}
