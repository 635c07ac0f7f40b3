using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Luban.Seed.FrontDoor;

/// <summary>
/// A VM takes traffic only once an active probe found it healthy and no passive check has ejected it. YARP's own
/// policies also route to "Unknown" destinations, which would send requests to a VM that is still booting while
/// healthy ones exist. Only when none is healthy are others tried, in this order: unprobed ones (the front door just
/// started), then those not ejected by a passive check (every probe timed out because every VM is saturated), then
/// all of them: the alternative is a 503 for every request, and a dead VM costs one connect failure, which
/// <see cref="ConnectRetry"/> turns into a retry elsewhere.
/// </summary>
public sealed class HealthyOnlyDestinationsPolicy : IAvailableDestinationsPolicy
{
    public const string PolicyName = "LubanHealthyOnly";

    public string Name => PolicyName;

    public IReadOnlyList<DestinationState> GetAvailalableDestinations(ClusterConfig config,
        IReadOnlyList<DestinationState> allDestinations)
    {
        var available = new List<DestinationState>(allDestinations.Count);
        foreach (var destination in allDestinations)
        {
            var health = destination.Health;
            if (health.Active == DestinationHealth.Healthy && health.Passive != DestinationHealth.Unhealthy)
                available.Add(destination);
        }

        if (available.Count > 0) return available;
        foreach (var destination in allDestinations)
        {
            var health = destination.Health;
            if (health.Active == DestinationHealth.Unknown && health.Passive != DestinationHealth.Unhealthy)
                available.Add(destination);
        }

        if (available.Count > 0) return available;
        foreach (var destination in allDestinations)
        {
            if (destination.Health.Passive != DestinationHealth.Unhealthy)
                available.Add(destination);
        }

        return available.Count > 0 ? available : allDestinations;
    }
}
