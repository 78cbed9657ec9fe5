namespace Nygard.Resilience.Strategy;

/// <summary>
/// The cheap clock that rejections read while a break runs. For <see cref="TimeProvider.System"/> it is
/// <see cref="Environment.TickCount64"/>: a few nanoseconds against about thirty for the precise clock on a virtual
/// machine, at the cost of a resolution of some milliseconds, which <see cref="Margin"/> covers. Any other provider is
/// read through <see cref="TimeProvider.GetUtcNow"/>, the clock the breaker uses everywhere else, so that a fake or
/// hand-made provider drives this clock exactly as it drives the precise one.
/// </summary>
internal sealed class MonotonicClock
{
    private static readonly TimeSpan SystemMargin = TimeSpan.FromMilliseconds(50);

    private readonly TimeProvider? _provider;
    private readonly DateTimeOffset _origin;

    public MonotonicClock(TimeProvider provider)
    {
        if (!ReferenceEquals(provider, TimeProvider.System))
        {
            _provider = provider;
            _origin = provider.GetUtcNow();
        }
    }

    /// <summary>Gets how close to a deadline this clock's answer is no longer trusted.</summary>
    public TimeSpan Margin => _provider is null ? SystemMargin : TimeSpan.Zero;

    /// <summary>Gets the time elapsed on this clock since an arbitrary origin.</summary>
    public TimeSpan Now => _provider is null ? TimeSpan.FromMilliseconds(Environment.TickCount64) : _provider.GetUtcNow() - _origin;
}
