namespace Nygard.Resilience.AspNetCore.Endpoints;

/// <summary>What the endpoints of one application share: whether controls are mapped, and how often the stream reports rates.</summary>
internal sealed class NygardBreakerEndpointSettings
{
    private volatile bool _controlsMapped;

    /// <summary>Gets or sets a value indicating whether <c>MapNygardBreakerControls</c> was called, so that the dashboard shows its buttons.</summary>
    public bool ControlsMapped
    {
        get => _controlsMapped;
        set => _controlsMapped = value;
    }

    /// <summary>Gets or sets how often the event stream sends the call rates and the refreshed list.</summary>
    public TimeSpan RateInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets how many events a slow stream client may fall behind before the oldest are dropped.</summary>
    public int StreamCapacity { get; set; } = 256;
}
