(* Broken: uses a lemma that does not exist. *)
Lemma uses_missing : forall n : nat, n + 0 = n.
Proof. intros n. apply no_such_lemma. Qed.
