using Luban.Actors.Hypervisor;

namespace Luban.Adapters.Libvirt;

/// <summary>How <c>Shutdown</c> asks the guest to stop.</summary>
public enum ShutdownMode
{
    /// <summary>The hypervisor's choice (the only mode libvirt's test driver accepts).</summary>
    Default,
    /// <summary>An ACPI power-button press; the Luban guest's acpid powers off on it.</summary>
    AcpiPowerButton,
}

/// <summary>virDomainInfo.</summary>
public readonly record struct DomainInfo(
    DomainState State, ulong MaxMemoryKiB, ulong MemoryKiB, int VirtualCpus, ulong CpuTimeNanoseconds);

/// <summary>One domain as listed by <see cref="LibvirtConnection.ListAllDomains"/>; plain data, no native handle.</summary>
/// <param name="Id">The hypervisor's id while running, null when inactive.</param>
public sealed record DomainSummary(string Name, Guid Uuid, int? Id, DomainStateInfo State);
