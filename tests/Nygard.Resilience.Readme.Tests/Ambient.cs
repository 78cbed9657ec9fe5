namespace ReadmeSnippets.Ambient;

/// <summary>The application's own client of a dependency, as README snippets name it (<c>inventory</c>).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Stands for an instance client.")]
internal sealed class InventoryClient
{
    /// <summary>Asks the dependency for the stock level.</summary>
    public ValueTask<int> GetStockAsync(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled<int>(cancellationToken) : ValueTask.FromResult(42);
}

/// <summary>The application's own data source, as README snippets name it (<c>db</c>).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Stands for an instance client.")]
internal sealed class Database
{
    /// <summary>Streams rows.</summary>
    public async IAsyncEnumerable<string> ReadRowsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        yield return "row";
    }
}
