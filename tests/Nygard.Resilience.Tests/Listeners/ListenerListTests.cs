using Nygard.Resilience.Tests.Support;
using Polly;

namespace Nygard.Resilience.Tests.Listeners;

/// <summary>The options' <c>Listeners</c> behave as an ordinary list, and the breaker hears exactly the listeners it holds.</summary>
public class ListenerListTests
{
    private static readonly NamedListener A = new("a");
    private static readonly NamedListener B = new("b");
    private static readonly NamedListener C = new("c");

    [Fact]
    public void Listeners_IsAWritableList()
    {
        var listeners = new NygardBreakerStrategyOptions().Listeners;

        Assert.False(listeners.IsReadOnly);
        Assert.Empty(listeners);
    }

    [Fact]
    public void Insert_PutsTheListenerAtTheIndex()
    {
        var listeners = new NygardBreakerStrategyOptions().Listeners;
        listeners.Add(A);
        listeners.Add(C);

        listeners.Insert(1, B);
        listeners.Insert(0, C);
        listeners.Insert(4, A);

        Assert.Equal([C, A, B, C, A], listeners);
        Assert.Equal(5, listeners.Count);
    }

    [Fact]
    public void Insert_BeyondTheEnd_ThrowsAndChangesNothing()
    {
        var listeners = new NygardBreakerStrategyOptions().Listeners;
        listeners.Add(A);

        Assert.Throws<ArgumentOutOfRangeException>("index", () => listeners.Insert(2, B));
        Assert.Throws<ArgumentOutOfRangeException>("index", () => listeners.Insert(-1, B));
        Assert.Throws<ArgumentNullException>(() => listeners.Insert(0, null!));
        Assert.Equal([A], listeners);
    }

    [Fact]
    public void IndexerSet_ReplacesOnlyThatListener()
    {
        var listeners = new NygardBreakerStrategyOptions().Listeners;
        listeners.Add(A);
        listeners.Add(B);

        listeners[1] = C;

        Assert.Equal([A, C], listeners);
        Assert.Same(C, listeners[1]);
        Assert.Throws<ArgumentNullException>(() => listeners[0] = null!);
        Assert.Equal([A, C], listeners);
    }

    [Fact]
    public void IndexerSet_DoesNotChangeAnEnumerationAlreadyTaken()
    {
        var listeners = new NygardBreakerStrategyOptions().Listeners;
        listeners.Add(A);
        using var before = listeners.GetEnumerator();

        listeners[0] = B;

        Assert.True(before.MoveNext());
        Assert.Same(A, before.Current);
        Assert.Same(B, listeners[0]);
    }

    [Fact]
    public void Remove_TakesOutTheFirstMatchOnly_AndSaysWhetherItFoundOne()
    {
        var listeners = new NygardBreakerStrategyOptions().Listeners;
        listeners.Add(A);
        listeners.Add(B);
        listeners.Add(A);

        Assert.True(listeners.Remove(A));
        Assert.Equal([B, A], listeners);
        Assert.False(listeners.Remove(C));
        Assert.Equal([B, A], listeners);
    }

    [Fact]
    public void RemoveAt_TakesOutOnlyThatIndex()
    {
        var listeners = new NygardBreakerStrategyOptions().Listeners;
        listeners.Add(A);
        listeners.Add(B);
        listeners.Add(C);

        listeners.RemoveAt(1);
        Assert.Equal([A, C], listeners);

        listeners.RemoveAt(0);
        Assert.Equal([C], listeners);
    }

    [Fact]
    public void RemoveAt_OutOfRange_ThrowsAndChangesNothing()
    {
        var listeners = new NygardBreakerStrategyOptions().Listeners;
        listeners.Add(A);

        Assert.Throws<ArgumentOutOfRangeException>("index", () => listeners.RemoveAt(1));
        Assert.Throws<ArgumentOutOfRangeException>("index", () => listeners.RemoveAt(-1));
        Assert.Equal([A], listeners);
    }

    [Fact]
    public void Clear_RemovesEveryListener()
    {
        var listeners = new NygardBreakerStrategyOptions().Listeners;
        listeners.Add(A);
        listeners.Add(B);

        listeners.Clear();

        Assert.Empty(listeners);
        Assert.False(listeners.Contains(A));
    }

    [Fact]
    public void ContainsAndIndexOf_FindTheFirstListenerIncludingAtIndexZero()
    {
        var listeners = new NygardBreakerStrategyOptions().Listeners;
        listeners.Add(A);
        listeners.Add(B);

        Assert.True(listeners.Contains(A));
        Assert.True(listeners.Contains(B));
        Assert.False(listeners.Contains(C));
        Assert.Equal(0, listeners.IndexOf(A));
        Assert.Equal(1, listeners.IndexOf(B));
        Assert.Equal(-1, listeners.IndexOf(C));
    }

    [Fact]
    public void CopyTo_CopiesAtTheOffset()
    {
        var listeners = new NygardBreakerStrategyOptions().Listeners;
        listeners.Add(A);
        listeners.Add(B);
        var array = new INygardBreakerListener[3];

        listeners.CopyTo(array, 1);

        Assert.Equal([null!, A, B], array);
    }

    [Fact]
    public async Task Breaker_HearsTheListenersAsTheyAreAtEachCall()
    {
        var first = new RecordingListener();
        var second = new RecordingListener();
        var breaker = new BreakerHarness(o => o.Listeners.Add(first));

        await breaker.SucceedAsync();
        breaker.Options.Listeners.Insert(0, second);
        await breaker.SucceedAsync();
        breaker.Options.Listeners.RemoveAt(1);
        await breaker.SucceedAsync();
        breaker.Options.Listeners.Clear();
        await breaker.SucceedAsync();

        Assert.Equal(["before", "success", "before", "success"], first.Calls);
        Assert.Equal(["before", "success", "before", "success"], second.Calls);
    }

    private sealed class NamedListener(string name) : INygardBreakerListener
    {
        public override string ToString() => name;
    }

    private sealed class RecordingListener : INygardBreakerListener
    {
        public List<string> Calls { get; } = [];

        public ValueTask BeforeCallAsync(ResilienceContext context) => Add("before");

        public ValueTask OnSuccessAsync(ResilienceContext context) => Add("success");

        private ValueTask Add(string call)
        {
            Calls.Add(call);
            return default;
        }
    }
}
