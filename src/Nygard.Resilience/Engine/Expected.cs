namespace Nygard.Resilience.Engine;

/// <summary>
/// What a change was decided on, which the store compares before it swaps the change in: the version (the in-memory
/// store) or the snapshot itself (a remote store swaps only snapshots it knows), and the circuit period, which tells
/// a transition from a change within a period.
/// </summary>
/// <param name="Version">The version decided on.</param>
/// <param name="Generation">The circuit period decided on.</param>
/// <param name="Snapshot">A remote store's snapshot decided on; <see langword="null"/> for the in-memory store.</param>
internal readonly record struct Expected(long Version, long Generation, NygardBreakerSnapshot? Snapshot);
