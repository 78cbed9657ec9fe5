using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Nygard.Resilience.Redis.Options;

/// <summary>A <see cref="TimeSpan"/> option's inclusive range, checked without reflection or type converters.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class TimeSpanRangeAttribute(string minimum, string maximum) : ValidationAttribute
{
    public TimeSpan Minimum { get; } = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);

    public TimeSpan Maximum { get; } = TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is TimeSpan span && span >= Minimum && span <= Maximum
            ? ValidationResult.Success
            : new ValidationResult(
                $"{validationContext.MemberName} must be from {Minimum} to {Maximum} (it is {value}).",
                validationContext.MemberName is { } member ? [member] : null);
}
