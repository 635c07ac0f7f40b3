namespace Luban.FengShui.Model;

// Member names are the wire ids of FENGSHUI.md, so enum text and JSON text are the same thing.
#pragma warning disable CA1707 // ids such as WATER_ROAD and LUBAN_42_9 come from the spec verbatim

/// <summary>Score categories in the tie-break order of §7.5.</summary>
public enum Category { ENV, WATER_ROAD, EXTERIOR, INTERIOR, LUBAN }

public enum Remedy { NONE, SYMBOLIC, SCREENING, STRUCTURAL }

public enum HouseType { APARTMENT, MID_RISE, HIGH_RISE, TOWNHOUSE, VILLA, STUDIO, OTHER }

public enum FacingBasis { DOOR, LIGHT_FACE }

public enum MeasureElement { MAIN_DOOR, ROOM_DOOR, KITCHEN_DOOR, BATH_DOOR, WINDOW, FURNITURE, ANCESTRAL_TABLET }

public enum Dimension { WIDTH, HEIGHT, DEPTH, LENGTH }

public enum RulerProfileId { LUBAN_42_9, LUBAN_43_2, LUBAN_42_76, LUBAN_46_08, DINGLAN_38_78 }

public enum Grade { A, B, C, D, E }

#pragma warning restore CA1707

/// <summary>Exact-text parsing of wire ids: no case folding and no numeric aliases (Enum.TryParse accepts "1").</summary>
public static class WireEnum
{
    public static bool TryParse<TEnum>(string? text, out TEnum value) where TEnum : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (string.Equals(candidate.ToString(), text, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }
        value = default;
        return false;
    }
}
