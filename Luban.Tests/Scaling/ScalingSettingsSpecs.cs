using Luban.Actors.Scaling;

namespace Luban.Tests.Scaling;

public class ScalingSettingsSpecs
{
    [Fact]
    public void Defaults_should_be_the_papers_numbers()
    {
        var settings = ScalingSettings.Default;

        Assert.Equal(100, settings.SMax);
        Assert.Equal(0.60, settings.TUpper);
        Assert.Equal(0.10, settings.TLower);
        Assert.Equal((2, 6), (settings.MinTotalVms, settings.MaxTotalVms));
        Assert.Equal((1, 3), (settings.DefaultHostMinVms, settings.DefaultHostMaxVms));
        Assert.Equal(["B", "C"], settings.PreferredHostOrder.Select(host => host.Value));
        Assert.InRange(settings.TickInterval, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        Assert.Empty(settings.Validate());
    }

    [Fact]
    public void PaperInterval_should_poll_every_five_minutes_and_be_valid()
    {
        var settings = ScalingSettings.PaperInterval;

        Assert.Equal(TimeSpan.FromMinutes(5), settings.TickInterval);
        Assert.Empty(settings.Validate());
    }

    public static TheoryData<string, ScalingSettings, string[]> InvalidSettings => new()
    {
        { "T_lower = T_upper", ScalingSettings.Default with { TLower = 0.6 }, [ScalingSettings.TLowerKey, ScalingSettings.TUpperKey] },
        { "T_lower > T_upper", ScalingSettings.Default with { TLower = 0.7, TUpper = 0.5 }, [ScalingSettings.TLowerKey, ScalingSettings.TUpperKey] },
        { "T_upper above 1", ScalingSettings.Default with { TUpper = 1.5 }, [ScalingSettings.TUpperKey] },
        { "T_lower negative", ScalingSettings.Default with { TLower = -0.1 }, [ScalingSettings.TLowerKey] },
        { "S_max zero", ScalingSettings.Default with { SMax = 0 }, [ScalingSettings.SMaxKey] },
        { "cluster min > max", ScalingSettings.Default with { MinTotalVms = 7 }, [ScalingSettings.MinTotalVmsKey, ScalingSettings.MaxTotalVmsKey] },
        { "cluster max zero", ScalingSettings.Default with { MinTotalVms = 0, MaxTotalVms = 0 }, [ScalingSettings.MaxTotalVmsKey] },
        { "host min > max", ScalingSettings.Default with { DefaultHostMinVms = 4 }, [ScalingSettings.HostMinVmsKey, ScalingSettings.HostMaxVmsKey] },
        { "host min negative", ScalingSettings.Default with { DefaultHostMinVms = -1 }, [ScalingSettings.HostMinVmsKey] },
        { "host max zero", ScalingSettings.Default with { DefaultHostMinVms = 0, DefaultHostMaxVms = 0 }, [ScalingSettings.HostMaxVmsKey] },
        { "preferred host repeated", ScalingSettings.Default with { PreferredHostOrder = [new("B"), new("B")] }, [ScalingSettings.PreferredHostsKey] },
        { "preferred host blank", ScalingSettings.Default with { PreferredHostOrder = [new(" ")] }, [ScalingSettings.PreferredHostsKey] },
        { "tick interval zero", ScalingSettings.Default with { TickInterval = TimeSpan.Zero }, [ScalingSettings.TickIntervalKey] },
        { "scale-out cooldown negative", ScalingSettings.Default with { ScaleOutCooldown = TimeSpan.FromSeconds(-1) }, [ScalingSettings.ScaleOutCooldownKey] },
        { "scale-in cooldown negative", ScalingSettings.Default with { ScaleInCooldown = TimeSpan.FromSeconds(-1) }, [ScalingSettings.ScaleInCooldownKey] },
        { "report staleness zero", ScalingSettings.Default with { ReportStaleAfter = TimeSpan.Zero }, [ScalingSettings.ReportStaleAfterKey] },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void Validate_should_name_the_key_of_each_problem(string problem, ScalingSettings settings, string[] keys)
    {
        var messages = settings.Validate();

        Assert.True(messages.Count == 1, $"{problem}: expected one message, got [{string.Join(" | ", messages)}]");
        Assert.All(keys, key => Assert.Contains(key, messages[0]));
        // Start-up errors take the key from the front of the message.
        Assert.StartsWith(keys[0] + " = ", messages[0]);
    }

    [Fact]
    public void Validate_should_report_every_problem_not_just_the_first()
    {
        var settings = ScalingSettings.Default with { SMax = -1, TickInterval = TimeSpan.FromSeconds(-5), DefaultHostMinVms = 9 };

        var messages = settings.Validate();

        Assert.Equal(3, messages.Count);
        Assert.Contains(messages, m => m.StartsWith(ScalingSettings.SMaxKey, StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith(ScalingSettings.TickIntervalKey, StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith(ScalingSettings.HostMinVmsKey, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_should_say_what_is_allowed_for_t_lower_against_t_upper()
    {
        var message = Assert.Single((ScalingSettings.Default with { TLower = 0.8 }).Validate());

        Assert.Equal("luban.scaling.t-lower = 0.8 must be below luban.scaling.t-upper = 0.6 (T_lower >= T_upper would make the policy flap).", message);
    }
}
