using System.Reflection;
using System.Text.RegularExpressions;
using ReadmeSnippets;
using Xunit;

namespace Nygard.Resilience.Readme.Tests;

/// <summary>
/// The README's C# blocks are compiled into this assembly by ReadmeSnippets.targets; a block that stops compiling
/// fails the build. These tests make sure no block is silently left out.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    [GeneratedRegex(@"^\s*```csharp\b", RegexOptions.Multiline)]
    private static partial Regex CSharpFence();

    [Fact]
    public void Every_csharp_block_in_the_README_is_compiled_or_opted_out_with_a_reason()
    {
        var readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "README.md"));
        var fences = CSharpFence().Count(readme);

        Assert.True(fences > 0, "README.md has no ```csharp block");
        Assert.Equal(fences, ReadmeSnippetManifest.Blocks.Length);
        Assert.All(
            ReadmeSnippetManifest.Blocks.Where(b => !b.Compiled),
            b => Assert.False(string.IsNullOrWhiteSpace(b.Reason), $"block {b.Block} (README line {b.Line}) opts out without a reason"));
    }

    [Fact]
    public void Every_compiled_block_is_a_type_in_this_assembly()
    {
        var namespaces = typeof(ReadmeSnippetTests).Assembly.GetTypes()
            .Select(t => t.Namespace)
            .Where(n => n is not null && n.StartsWith("ReadmeSnippets.Block", StringComparison.Ordinal))
            .ToHashSet();

        var compiled = ReadmeSnippetManifest.Blocks.Where(b => b.Compiled).ToList();

        Assert.NotEmpty(compiled);
        Assert.All(compiled, b => Assert.Contains($"ReadmeSnippets.Block{b.Block}", namespaces));
    }

    [Fact]
    public async Task The_first_snippet_runs_and_does_not_retry_rejections()
    {
        // The README's first snippet is the one users copy: a retry in front of the breaker must not retry
        // BrokenCircuitException (IsolatedCircuitException derives from it).
        var first = ReadmeSnippetManifest.Blocks.First(b => b.Compiled);
        var readme = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "README.md"));
        var text = string.Join('\n', readme.Skip(first.Line).TakeWhile(l => l.Trim() != "```"));
        Assert.Contains("AddRetry", text, StringComparison.Ordinal);
        Assert.Contains("e is not BrokenCircuitException", text, StringComparison.Ordinal);

        var run = typeof(ReadmeSnippetTests).Assembly.GetType($"ReadmeSnippets.Block{first.Block}.Snippet")?
            .GetMethod("RunAsync", BindingFlags.Public | BindingFlags.Static);
        Assert.NotNull(run);
        var arguments = run!.GetParameters()
            .Select(p => p.ParameterType == typeof(ReadmeSnippets.Ambient.InventoryClient) ? new ReadmeSnippets.Ambient.InventoryClient() : null)
            .ToArray();
        await (Task)run.Invoke(null, arguments)!;
    }
}
