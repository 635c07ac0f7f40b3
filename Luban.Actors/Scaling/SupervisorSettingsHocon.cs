using System.Collections.Immutable;
using Akka.Configuration;
using Luban.Actors.Cluster;
using Luban.Actors.Common;

namespace Luban.Actors.Scaling;

/// <summary>Reads <c>luban.scaling</c> from HOCON; a bad value stops start-up naming its key.</summary>
public static class SupervisorSettingsHocon
{
    public static SupervisorSettings Read(Config config)
    {
        var defaults = new SupervisorSettings();
        var policy = defaults.Policy;
        var settings = new SupervisorSettings
        {
            Policy = new ScalingSettings
            {
                SMax = Get(config, ScalingSettings.SMaxKey, policy.SMax, (c, k) => c.GetInt(k)),
                TUpper = Get(config, ScalingSettings.TUpperKey, policy.TUpper, (c, k) => c.GetDouble(k)),
                TLower = Get(config, ScalingSettings.TLowerKey, policy.TLower, (c, k) => c.GetDouble(k)),
                MinTotalVms = Get(config, ScalingSettings.MinTotalVmsKey, policy.MinTotalVms, (c, k) => c.GetInt(k)),
                MaxTotalVms = Get(config, ScalingSettings.MaxTotalVmsKey, policy.MaxTotalVms, (c, k) => c.GetInt(k)),
                DefaultHostMinVms = Get(config, ScalingSettings.HostMinVmsKey, policy.DefaultHostMinVms, (c, k) => c.GetInt(k)),
                DefaultHostMaxVms = Get(config, ScalingSettings.HostMaxVmsKey, policy.DefaultHostMaxVms, (c, k) => c.GetInt(k)),
                PreferredHostOrder = Get(config, ScalingSettings.PreferredHostsKey, policy.PreferredHostOrder,
                    (c, k) => c.GetStringList(k).Select(h => new HostId(h)).ToImmutableArray()),
                TickInterval = Get(config, ScalingSettings.TickIntervalKey, policy.TickInterval, Duration),
                ScaleOutCooldown = Get(config, ScalingSettings.ScaleOutCooldownKey, policy.ScaleOutCooldown, Duration),
                ScaleInCooldown = Get(config, ScalingSettings.ScaleInCooldownKey, policy.ScaleInCooldown, Duration),
                ReportStaleAfter = Get(config, ScalingSettings.ReportStaleAfterKey, policy.ReportStaleAfter, Duration),
                AgentRejoinGrace = Get(config, ScalingSettings.AgentRejoinGraceKey, policy.AgentRejoinGrace, Duration),
            },
            DrainDeadline = Get(config, SupervisorSettings.DrainDeadlineKey, defaults.DrainDeadline, Duration),
            StartTimeout = Get(config, SupervisorSettings.StartTimeoutKey, defaults.StartTimeout, Duration),
            StopTimeout = Get(config, SupervisorSettings.StopTimeoutKey, defaults.StopTimeout, Duration),
            EventLogSize = Get(config, SupervisorSettings.EventLogSizeKey, defaults.EventLogSize, (c, k) => c.GetInt(k)),
        };

        var problems = settings.Validate();
        if (problems.Count > 0)
        {
            var first = problems[0];
            throw new ConfigurationError(first.Split(' ', 2)[0], first);
        }

        return settings;
    }

    private static TimeSpan Duration(Config config, string key) => config.GetTimeSpan(key, allowInfinite: false);

    private static T Get<T>(Config config, string key, T fallback, Func<Config, string, T> read) =>
        HoconValue.Read(config, key, fallback, read, ExpectedFormOf<T>());

    private static string ExpectedFormOf<T>() => typeof(T) switch
    {
        var t when t == typeof(int) => "allowed: a whole number",
        var t when t == typeof(double) => "allowed: a decimal number",
        var t when t == typeof(TimeSpan) => "allowed: a duration such as 500ms, 5s or 5m",
        _ => "allowed: a list of host ids such as [B, C]",
    };
}
