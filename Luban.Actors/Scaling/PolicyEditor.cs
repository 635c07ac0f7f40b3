using System.Collections.Immutable;
using Akka.Configuration;
using Luban.Actors.Common;

namespace Luban.Actors.Scaling;

/// <summary>Applies one operator change to the settings by HOCON key, or says why it cannot.</summary>
public static class PolicyEditor
{
    private const string Prefix = "luban.scaling.";

    /// <summary>The keys an operator may set (without the <c>luban.scaling.</c> prefix).</summary>
    public static IReadOnlyList<string> Keys { get; } =
    [
        "s-max", "t-upper", "t-lower", "min-vms", "max-vms", "host-min-vms", "host-max-vms", "preferred-hosts",
        "tick-interval", "scale-out-cooldown", "scale-in-cooldown", "report-stale-after", "agent-rejoin-grace",
        "drain-deadline",
    ];

    public static SupervisorSettings? Apply(SupervisorSettings settings, string key, string value, out string? problem)
    {
        var name = key.StartsWith(Prefix, StringComparison.Ordinal) ? key[Prefix.Length..] : key;
        problem = null;
        if (!Keys.Contains(name))
        {
            problem = $"Unknown policy key '{key}'; allowed: {string.Join(", ", Keys)}.";
            return null;
        }

        SupervisorSettings updated;
        try
        {
            var config = ConfigurationFactory.ParseString($"v = {(name == "preferred-hosts" ? $"[{value}]" : value)}");
            var p = settings.Policy;
            updated = name switch
            {
                "s-max" => settings with { Policy = p with { SMax = config.GetInt("v") } },
                "t-upper" => settings with { Policy = p with { TUpper = config.GetDouble("v") } },
                "t-lower" => settings with { Policy = p with { TLower = config.GetDouble("v") } },
                "min-vms" => settings with { Policy = p with { MinTotalVms = config.GetInt("v") } },
                "max-vms" => settings with { Policy = p with { MaxTotalVms = config.GetInt("v") } },
                "host-min-vms" => settings with { Policy = p with { DefaultHostMinVms = config.GetInt("v") } },
                "host-max-vms" => settings with { Policy = p with { DefaultHostMaxVms = config.GetInt("v") } },
                "preferred-hosts" => settings with
                {
                    Policy = p with { PreferredHostOrder = config.GetStringList("v").Select(h => new HostId(h)).ToImmutableArray() },
                },
                "tick-interval" => settings with { Policy = p with { TickInterval = config.GetTimeSpan("v", null, false) } },
                "scale-out-cooldown" => settings with { Policy = p with { ScaleOutCooldown = config.GetTimeSpan("v", null, false) } },
                "scale-in-cooldown" => settings with { Policy = p with { ScaleInCooldown = config.GetTimeSpan("v", null, false) } },
                "report-stale-after" => settings with { Policy = p with { ReportStaleAfter = config.GetTimeSpan("v", null, false) } },
                "agent-rejoin-grace" => settings with { Policy = p with { AgentRejoinGrace = config.GetTimeSpan("v", null, false) } },
                _ => settings with { DrainDeadline = config.GetTimeSpan("v", null, false) },
            };
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            problem = $"{Prefix}{name} = '{value}': not a valid value ({error.GetType().Name}).";
            return null;
        }

        var problems = updated.Validate();
        if (problems.Count == 0) return updated;
        problem = string.Join(" ", problems);
        return null;
    }
}
