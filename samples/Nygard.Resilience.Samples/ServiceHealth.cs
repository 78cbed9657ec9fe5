namespace Nygard.Resilience.Samples;

/// <summary>How the flaky dependency behaves at the moment.</summary>
internal enum ServiceHealth
{
    Up,
    Down,
    Hanging,
    /// <summary>Calls wait until the script opens the gate.</summary>
    Slow,
}
