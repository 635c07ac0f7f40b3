using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Luban.Web.Storage;

/// <summary>
/// The Data Protection key ring kept in the records database, so a session cookie or antiforgery token issued by one
/// VM is read by every other and outlives the VM that issued it. Keys are only ever added (Data Protection never
/// deletes; expired keys stay to read old payloads).
/// </summary>
public sealed class DatabaseXmlRepository(LubanDatabase database, TimeProvider clock) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() => database.Run(connection =>
    {
        using var command = LubanDatabase.Command(connection, "SELECT xml FROM data_protection_keys ORDER BY created_at, friendly_name");
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read())
        {
            elements.Add(XElement.Parse(reader.GetString(0)));
        }
        return elements;
    });

    public void StoreElement(XElement element, string friendlyName)
    {
        // Names are unique per element (key-{guid}, revocation-…); a missing one gets its own.
        var name = string.IsNullOrEmpty(friendlyName) ? $"element-{Guid.NewGuid():N}" : friendlyName;
        var xml = element.ToString(SaveOptions.DisableFormatting);
        database.Run(connection =>
        {
            using var command = LubanDatabase.Command(connection,
                "INSERT INTO data_protection_keys (friendly_name, xml, created_at) VALUES (@name, @xml, @created) ON CONFLICT (friendly_name) DO NOTHING",
                ("@name", name), ("@xml", xml), ("@created", LubanDatabase.Time(clock.GetUtcNow())));
            return command.ExecuteNonQuery();
        });
    }
}
