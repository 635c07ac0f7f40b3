using System.Net;
using System.Net.NetworkInformation;

namespace Luban.Seed.FrontDoor;

/// <summary>Whether this host holds the cluster's virtual address now (keepalived adds it to the master's interface).</summary>
public static class VirtualAddress
{
    public static bool HeldHere(IPAddress? address)
    {
        if (address is null) return false;
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .Any(nic => nic.GetIPProperties().UnicastAddresses.Any(a => a.Address.Equals(address)));
        }
        catch (NetworkInformationException)
        {
            return false;
        }
    }
}
