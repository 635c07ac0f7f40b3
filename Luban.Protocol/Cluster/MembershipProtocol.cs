namespace Luban.Protocol.Cluster;

/// <summary>How a cluster member proves that the roles it joined with are the ones its certificate gives it.</summary>
public static class MembershipProtocol
{
    /// <summary>The receptionist-free path of the guard on every seed.</summary>
    public const string GuardPath = "/user/membership-guard";

    /// <summary>Sent, signed, by every member to every seed once it is Up: "the member at this address is me".</summary>
    public sealed record MemberIdentity(string Address) : ILubanWireMessage;
}
