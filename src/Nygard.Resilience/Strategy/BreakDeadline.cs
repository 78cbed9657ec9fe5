namespace Nygard.Resilience.Strategy;

/// <summary>
/// When the break of one open snapshot ends, on a <see cref="BreakTimer"/>'s cheap clock: lets rejections skip the precise
/// clock. It holds only for that snapshot and only until <see cref="ValidUntil"/>, after which it is measured again,
/// so that the two clocks cannot drift apart by more than a second's worth.
/// </summary>
/// <param name="Snapshot">The open snapshot whose break this is.</param>
/// <param name="EndsAt">When the break ends, on the cheap clock.</param>
/// <param name="ValidUntil">When this deadline must be measured again, on the cheap clock.</param>
internal sealed record BreakDeadline(NygardBreakerSnapshot Snapshot, TimeSpan EndsAt, TimeSpan ValidUntil);
