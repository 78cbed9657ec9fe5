namespace Nygard.Resilience.Redis.Codec;

/// <summary>
/// A snapshot together with the exact value that holds it in Redis. The compare-and-swap compares that value, not a
/// version number, so a stale or colliding version can never let an old snapshot replace a newer one.
/// </summary>
/// <param name="Snapshot">The decoded snapshot.</param>
/// <param name="Raw">
/// The stored value: <see cref="string.Empty"/> for a key that does not exist, <see langword="null"/> for a snapshot
/// that exists only in this process (a local breaker during an outage).
/// </param>
/// <param name="Incarnation">
/// The lineage the value belongs to: minted when a key is created, kept by every later write. Versions are compared
/// only within one incarnation. <see langword="null"/> when there is no stored value.
/// </param>
internal sealed record StoredEntry(NygardBreakerSnapshot Snapshot, string? Raw, string? Incarnation)
{
    /// <summary>Gets the entry of a key that does not exist.</summary>
    public static StoredEntry Absent { get; } = new(NygardBreakerSnapshot.Initial, string.Empty, null);

    /// <summary>Gets a value indicating whether the entry is a value stored in Redis (not absent, not local).</summary>
    public bool IsStored => !string.IsNullOrEmpty(Raw);

    /// <summary>Gets the short form published as a change hint: <c>incarnation:version</c>.</summary>
    public string Hint => $"{Incarnation}:{Snapshot.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>Makes an entry that lives only in this process.</summary>
    /// <param name="snapshot">The snapshot.</param>
    /// <returns>The local entry.</returns>
    public static StoredEntry Local(NygardBreakerSnapshot snapshot) => new(snapshot, null, null);
}
