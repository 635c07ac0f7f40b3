using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Luban.Seed.FrontDoor;

/// <summary>
/// A request whose connection to its VM could not even be opened (the VM just died or was stopped, or its port did not
/// accept within the connect timeout) never reached it, so it is safe to send to another VM: the client sees no error.
/// The VM is ejected at once, for the passive reactivation period.
/// </summary>
public sealed class ConnectRetry(IDestinationHealthUpdater health, FrontDoorSettings settings, ILogger<ConnectRetry> log)
{
    public void Eject(ClusterState cluster, DestinationState failed, IForwarderErrorFeature error)
    {
        if (failed.Health.Passive != DestinationHealth.Unhealthy)
            log.LogWarning("Ejecting {Destination} ({Address}) for {Period}: connection failed ({Error}); retrying its request elsewhere",
                failed.DestinationId, failed.Model.Config.Address, settings.PassiveReactivation, error.Exception?.Message);
        health.SetPassive(cluster, failed, DestinationHealth.Unhealthy, settings.PassiveReactivation);
    }

    /// <summary>
    /// True only when no connection to the VM was ever established, so not one byte of the request reached it: the
    /// handler reports that as an <see cref="HttpRequestError.ConnectionError"/> (our connector's timed-out connect
    /// included). A time-out or reset once the connection existed is not one, whatever socket error lies beneath:
    /// the VM may have received the request (a POST) and must not get it twice.
    /// </summary>
    public static bool IsConnectFailure(IForwarderErrorFeature error)
    {
        if (error.Error != ForwarderError.Request) return false;
        for (var e = error.Exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException request) return request.HttpRequestError == HttpRequestError.ConnectionError;
        }

        return false;
    }
}
