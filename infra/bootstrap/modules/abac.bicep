// The ABAC condition that limits Role Based Access Control Administrator to given roles, assigned to service principals
// only: Microsoft Learn, "Examples to delegate Azure role assignment management with conditions", "Example: Constrain
// roles and principal types" (write checks the @Request attributes, delete the @Resource ones; conditionVersion 2.0):
// https://learn.microsoft.com/azure/role-based-access-control/delegate-role-assignments-examples
// The app identity's principal id is not known here (main.bicep creates it), so the principal itself is not constrained.

@export()
@description('Role assignments may be written and deleted only for these role definition ids and only for service principals.')
func constrainRolesAndServicePrincipals(roleDefinitionIds string[]) string =>
  '((!(ActionMatches{\'Microsoft.Authorization/roleAssignments/write\'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${join(roleDefinitionIds, ', ')}} AND @Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {\'ServicePrincipal\'})) AND ((!(ActionMatches{\'Microsoft.Authorization/roleAssignments/delete\'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${join(roleDefinitionIds, ', ')}} AND @Resource[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {\'ServicePrincipal\'}))'
