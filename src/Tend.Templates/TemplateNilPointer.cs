namespace Tend.Templates;

/// <summary>
/// A nil pointer to a declared struct, Go's <c>(*T)(nil)</c>: what consul-template's <c>node</c> gives as
/// <c>.Node</c> for a node the catalog does not have. Unlike a missing value (which prints
/// <c>&lt;no value&gt;</c>) it prints <c>&lt;nil&gt;</c>; it is false in <c>if</c>, <c>with</c>, <c>and</c>,
/// <c>or</c> and <c>not</c>, equal in <c>eq</c> to nil and to other nil pointers, and reading one of its
/// type's fields fails with Go's <c>nil pointer evaluating *T.Field</c>. Declare a field that holds one
/// with <see cref="TemplateStructBuilder{T}.PointerField"/>.
/// </summary>
public sealed class TemplateNilPointer
{
    /// <summary>Creates the nil pointer to <paramref name="elementType"/>.</summary>
    public TemplateNilPointer(TemplateStructType elementType)
    {
        ArgumentNullException.ThrowIfNull(elementType);
        ElementType = elementType;
        TypeName = "*" + elementType.Name;
    }

    /// <summary>The struct type pointed to.</summary>
    public TemplateStructType ElementType { get; }

    /// <summary>The pointer's Go type name (<c>%T</c>, error messages), e.g. <c>*dependency.Node</c>.</summary>
    public string TypeName { get; }
}
