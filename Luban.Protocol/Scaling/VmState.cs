namespace Luban.Protocol.Scaling;

/// <summary>The life of a VM as the scaling policy sees it. The names are a public interface (status API, CLI).</summary>
public enum VmState
{
    ShutOff,
    Booting,
    InService,
    Draining,
    Stopping,
    Failed,

    /// <summary>Booted ahead of need and suspended (or on its way there): not capacity, resumed at a scale-out.</summary>
    Warm,
}
