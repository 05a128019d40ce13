using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Reflection;

namespace FipsCluster.Infrastructure.ParameterBlocks;

/// <summary>
/// A group of parameters declared once — a class whose properties carry <see cref="ParameterAttribute"/> and their
/// validation — that several cmdlets share with one name, type and meaning. C# gives a cmdlet one base class, and a
/// cmdlet may need two groups (New-FipsCluster: SSH and AWS), so groups join a cmdlet as PowerShell dynamic parameters
/// (<see cref="ParameterBlockSet"/>); syntax, help, tab completion and splatting see them as any other parameter.
/// </summary>
public abstract class ParameterBlock
{
    private readonly HashSet<string> _bound = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether the user gave this parameter (a property's default is not a value the user chose).</summary>
    public bool IsBound(string parameterName) => _bound.Contains(parameterName);

    /// <summary>Whether the user gave any parameter of this block.</summary>
    public bool AnyBound => _bound.Count > 0;

    /// <summary>The block's parameters as PowerShell declares them, joined to <paramref name="sets"/> (none: every set).</summary>
    internal IEnumerable<RuntimeDefinedParameter> Declare(IReadOnlyList<string> sets)
    {
        foreach (var property in Properties(GetType()))
        {
            var attributes = new Collection<Attribute>();
            foreach (var attribute in property.GetCustomAttributes(inherit: true).Cast<Attribute>())
            {
                if (attribute is ParameterAttribute declared && sets.Count > 0)
                {
                    foreach (var set in sets)
                    {
                        attributes.Add(new ParameterAttribute
                        {
                            ParameterSetName = set,
                            Mandatory = declared.Mandatory,
                            ValueFromPipelineByPropertyName = declared.ValueFromPipelineByPropertyName,
                            DontShow = declared.DontShow,
                        });
                    }
                }
                else
                {
                    attributes.Add(attribute);
                }
            }
            yield return new RuntimeDefinedParameter(property.Name, property.PropertyType, attributes);
        }
    }

    /// <summary>Takes the values PowerShell bound into this block's properties.</summary>
    internal void Accept(RuntimeDefinedParameterDictionary values)
    {
        _bound.Clear();
        foreach (var property in Properties(GetType()))
        {
            if (values.TryGetValue(property.Name, out var parameter) && parameter.IsSet)
            {
                property.SetValue(this, LanguagePrimitives.ConvertTo(parameter.Value, property.PropertyType, System.Globalization.CultureInfo.InvariantCulture));
                _bound.Add(property.Name);
            }
        }
    }

    private static IEnumerable<PropertyInfo> Properties(Type block) =>
        block.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.IsDefined(typeof(ParameterAttribute), inherit: true));
}

/// <summary>The parameter blocks a cmdlet is made of, offered to PowerShell as its dynamic parameters.</summary>
public sealed class ParameterBlockSet
{
    private readonly List<(ParameterBlock Block, string[] Sets)> _blocks = new();
    private RuntimeDefinedParameterDictionary? _parameters;

    /// <summary>Adds a block whose parameters join <paramref name="sets"/> (none: every parameter set of the cmdlet).</summary>
    public T Add<T>(params string[] sets) where T : ParameterBlock, new()
    {
        if (_parameters is not null)
        {
            throw new InvalidOperationException("Blocks are added in the cmdlet's constructor, before PowerShell asks for its parameters.");
        }
        var block = new T();
        _blocks.Add((block, sets));
        return block;
    }

    /// <summary>What IDynamicParameters.GetDynamicParameters answers: null for a cmdlet without blocks.</summary>
    public RuntimeDefinedParameterDictionary? Parameters
    {
        get
        {
            if (_blocks.Count == 0)
            {
                return null;
            }
            if (_parameters is null)
            {
                _parameters = new RuntimeDefinedParameterDictionary();
                foreach (var (block, sets) in _blocks)
                {
                    foreach (var parameter in block.Declare(sets))
                    {
                        _parameters.Add(parameter.Name, parameter);
                    }
                }
            }
            return _parameters;
        }
    }

    /// <summary>Copies what was bound into the blocks: before every phase, as pipeline input may rebind.</summary>
    internal void Accept()
    {
        if (_parameters is null)
        {
            return;
        }
        foreach (var (block, _) in _blocks)
        {
            block.Accept(_parameters);
        }
    }
}
