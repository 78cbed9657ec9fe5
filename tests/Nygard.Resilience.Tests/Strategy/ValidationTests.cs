using System.ComponentModel.DataAnnotations;
using Polly;

namespace Nygard.Resilience.Tests.Strategy;

public class ValidationTests
{
    public static TheoryData<string, Action<NygardBreakerStrategyOptions>> InvalidOptions => new()
    {
        { "FailureThreshold", o => o.FailureThreshold = 0 },
        { "FailureThreshold", o => o.FailureThreshold = -3 },
        { "BreakDuration", o => o.BreakDuration = TimeSpan.Zero },
        { "BreakDuration", o => o.BreakDuration = TimeSpan.FromSeconds(-1) },
        { "BreakDuration", o => o.BreakDuration = TimeSpan.FromDays(1) + TimeSpan.FromTicks(1) },
        { "HalfOpenPermits", o => o.HalfOpenPermits = 0 },
        { "SuccessThreshold", o => o.SuccessThreshold = 0 },
        { "ShouldHandle", o => o.ShouldHandle = null! },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void InvalidOption_FailsAtAddNygardBreakerNamingTheOption(string option, Action<NygardBreakerStrategyOptions> makeInvalid)
    {
        var options = new NygardBreakerStrategyOptions();
        makeInvalid(options);

        var error = Assert.Throws<ValidationException>(() => new ResiliencePipelineBuilder().AddNygardBreaker(options));

        Assert.Contains(option, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidOption_FailsForTheGenericBuilderToo()
    {
        var error = Assert.Throws<ValidationException>(() =>
            new ResiliencePipelineBuilder<int>().AddNygardBreaker(new NygardBreakerStrategyOptions<int> { FailureThreshold = 0 }));

        Assert.Contains("FailureThreshold", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConvenienceOverload_ValidatesItsArguments()
    {
        var error = Assert.Throws<ValidationException>(() => new ResiliencePipelineBuilder().AddNygardBreaker(5, TimeSpan.Zero));

        Assert.Contains("BreakDuration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BoundaryValues_AreValid()
    {
        var builder = new ResiliencePipelineBuilder()
            .AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromTicks(1) })
            .AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = int.MaxValue, BreakDuration = TimeSpan.FromDays(1) });

        Assert.NotNull(builder.Build());
    }

    [Fact]
    public void NullArguments_AreRejected()
    {
        Assert.Throws<ArgumentNullException>(() => new ResiliencePipelineBuilder().AddNygardBreaker(null!));
        Assert.Throws<ArgumentNullException>(() => ((ResiliencePipelineBuilder)null!).AddNygardBreaker(new NygardBreakerStrategyOptions()));
    }
}
