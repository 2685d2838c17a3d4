namespace Tend.Templates;

/// <summary>
/// A CLR value that templates see as a Go struct. Its fields and methods are declared once in a
/// <see cref="TemplateStructType"/> rather than found by reflection, so a template reads exactly
/// what the type chose to show and the engine runs the same under NativeAOT as under the JIT.
/// </summary>
/// <remarks>
/// Values of any other CLR type that is not a string, number, bool, map or list are opaque
/// structs: they print as <c>{}</c>, and reading a field of one fails like a missing Go field
/// ("can't evaluate field X in type T").
/// </remarks>
public interface ITemplateStruct
{
    /// <summary>The type's fields and methods; one shared instance per CLR type.</summary>
    TemplateStructType TemplateType { get; }
}
