using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Luban.Actors.Bonding;
using Luban.Actors.Scaling;
using Luban.Protocol.Bonding;
using Luban.Protocol.Security;
using Luban.Seed.Admin;
using static Luban.Protocol.Operator.OperatorProtocol;

namespace Luban.Seed.Operator;

/// <summary>
/// The seed's operator edge, registered with the ClusterClient receptionist: the CLI's commands go to the supervisor,
/// its questions are answered from the same status document as the admin API.
/// </summary>
public sealed class OperatorEndpoint : ReceiveActor
{
    public OperatorEndpoint(IActorRegistry registry, TimeProvider clock)
    {
        var supervisor = registry.Get<ScaleSupervisorKey>();
        // A command goes to the supervisor with the name and right the certificate that signed it gives (an operator
        // acts, anyone else may only read); whatever the client wrote there is overwritten. The supervisor decides and
        // records every command, accepted or refused, as an event naming that subject.
        Receive<IOperatorCommand>(command => supervisor.Forward(MessageSigners.Of(command) is { } signer
            ? command.GivenBy(new ActingOperator(signer.Subject, signer.Role == IdentityRole.Operator))
            : command));
        Receive<GetStatusJson>(_ =>
        {
            var system = Context.System;
            StatusAssembler.AssembleAsync(system, registry, clock, CancellationToken.None)
                .ContinueWith(t => (object)(t.IsCompletedSuccessfully
                        ? new StatusJson(JsonSerializer.Serialize(t.Result, StatusAssembler.Json))
                        : new OperatorReply(false, $"status unavailable: {t.Exception?.GetBaseException().Message}")),
                    TaskScheduler.Default)
                .PipeTo(Sender);
        });
        Receive<BondProtocol.GetBondStatus>(ask =>
        {
            if (registry.TryGet<BondWatcherKey>(out var watcher)) watcher.Forward(ask);
            else Sender.Tell(new BondProtocol.BondStatusReport(DateTimeOffset.MinValue, [], [], []));
        });
    }

    public static Props Props(IActorRegistry registry, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new OperatorEndpoint(registry, clock));
}
